package dev.moryflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * A client that leaves cancels its upstream call at once, whether or not the upstream is sending: the upstream here
 * takes each request and then sends nothing (or only the first chunk) until the hub closes the connection; the
 * test measures how long after the client closed its socket the upstream saw its own connection closed. Without
 * that, a silent upstream keeps the call, its connection and a thread for a client that has gone (issue "a faithful
 * gateway", case 6).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ClientDisconnectIT extends HubTestSupport {

    private static final String TOKEN = "mf-itest-disconnect-token-0123456789";
    /** Far above the measured figure (a few ms) so that a slow CI machine cannot fail it, far below the stall. */
    private static final long CANCEL_WITHIN_MS = 2000;

    private HoldingUpstream silent;
    private FakeUpstream healthy;

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return hub(newWorkDir("disconnect"), gateway(freePort()));
    }

    @Before
    public void setUp() throws Exception {
        silent = new HoldingUpstream();
        healthy = new FakeUpstream();
        gatewayToken(TOKEN);
        provider("silent", "name", "Silent", "baseUrl", silent.baseUrl(), "models", new String[] { "m" });
        provider("healthy", "name", "Healthy", "baseUrl", healthy.baseUrl(), "models", new String[] { "h" });
        awaitProvider("silent");
        awaitProvider("healthy");
    }

    @After
    public void tearDown() throws Exception {
        deleteProviders();
        silent.close();
        healthy.close();
    }

    @Test
    public void aClientLeavingAStreamBeforeTheFirstChunkCancelsTheUpstreamCall() throws Exception {
        assertCancelledAfterClientLeaves(true, false);
    }

    @Test
    public void aClientLeavingAStreamBetweenChunksCancelsTheUpstreamCall() throws Exception {
        assertCancelledAfterClientLeaves(true, true);
    }

    @Test
    public void aClientLeavingAWholeChatCancelsTheUpstreamCall() throws Exception {
        assertCancelledAfterClientLeaves(false, false);
    }

    @Test
    public void manyClientsLeavingStalledStreamsHoldNothingAndAnotherProviderStreamsAtOnce() throws Exception {
        int clients = 300; // more than the 256 upstream calls the hub ran at once before it had no ceiling
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) {
                sockets.add(send(true));
            }
            // every one reaches the upstream at once: no call waits in a queue for another to end
            awaitCondition("the silent upstream did not get all " + clients + " calls at once",
                    () -> silent.received.size() >= clients);
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
        awaitCondition("the silent upstream still holds connections of clients that left",
                () -> silent.closed.get() >= Math.min(clients, silent.accepted.get()));
        long start = System.nanoTime();
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(gatewayBase() + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"healthy/h\",\"stream\":true,\"messages\":"
                        + "[{\"role\":\"user\",\"content\":\"hi\"}]}")).build(), HttpResponse.BodyHandlers.ofString());
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(answer.body(), 200, answer.statusCode());
        assertTrue(answer.body(), answer.body().contains("[DONE]"));
        System.out.println("After " + clients + " clients left stalled streams, another provider's stream took "
                + millis + " ms");
        assertTrue("the healthy provider's stream waited " + millis + " ms", millis < 5000);
    }

    private void assertCancelledAfterClientLeaves(boolean stream, boolean firstChunk) throws Exception {
        silent.sendFirstChunk = firstChunk;
        try (Socket client = send(stream)) {
            silent.received.poll(20, TimeUnit.SECONDS);
            if (firstChunk) {
                // read until the first chunk's text has reached the client
                InputStream in = client.getInputStream();
                ByteArrayOutputStream seen = new ByteArrayOutputStream();
                while (!seen.toString(StandardCharsets.UTF_8).contains("first piece")) {
                    int b = in.read();
                    assertTrue("the stream ended before its first chunk: " + seen, b >= 0);
                    seen.write(b);
                }
            }
            CountDownLatch closed = silent.nextClose();
            long start = System.nanoTime();
            client.close();
            assertTrue("the upstream call was not cancelled within " + CANCEL_WITHIN_MS + " ms of the client leaving",
                    closed.await(CANCEL_WITHIN_MS, TimeUnit.MILLISECONDS));
            System.out.println("Client left (" + (stream ? "streamed" : "whole") + (firstChunk ? ", after a chunk"
                    : ", before any answer") + "): upstream connection closed after "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms");
        }
    }

    /** Sends a chat on a raw socket (so that the test controls when the connection closes) and returns it. */
    private Socket send(boolean stream) throws IOException {
        byte[] body = ("{\"model\":\"silent/m\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"wait\"}]}").getBytes(StandardCharsets.UTF_8);
        Socket s = new Socket(InetAddress.getLoopbackAddress(),
                Integer.parseInt(context.getProperty("org.osgi.service.http.port")));
        OutputStream out = s.getOutputStream();
        out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + TOKEN
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
        return s;
    }
}
