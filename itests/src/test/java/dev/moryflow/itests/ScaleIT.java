package dev.moryflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.Configuration;

import jakarta.servlet.Servlet;

/**
 * Many chats and many slow clients at once (issue "scale"): no fixed ceiling on concurrent upstream calls, and no
 * thread held per client that sends its body slowly. The upstreams here hold each stream open (one thread per
 * connection on the upstream's side); the clients are raw sockets, so the test decides when each byte goes out.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ScaleIT extends HubTestSupport {

    private static final String TOKEN = "mf-itest-scale-token-0123456789abcdef";
    /** The idle time of a request body in this framework: short, so that the 408 comes within the test. */
    private static final int BODY_TIMEOUT_SECONDS = 2;
    /** A chat of another provider must be answered within this, whatever the held streams and slow clients do. */
    private static final long ANSWER_WITHIN_MS = 1000;

    private HoldingUpstream holding;
    private FakeUpstream other;

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return hub(newWorkDir("scale"), gateway(freePort()));
    }

    @Before
    public void setUp() throws Exception {
        holding = new HoldingUpstream();
        holding.sendFirstChunk = true;
        other = new FakeUpstream();
        gatewayToken(TOKEN);
        Configuration gw = configAdmin.getConfiguration("moryflow.gateway", "?");
        Dictionary<String, Object> p = gw.getProperties();
        if (!Integer.valueOf(BODY_TIMEOUT_SECONDS).equals(p.get("requestBodyTimeoutSeconds"))) {
            p.put("requestBodyTimeoutSeconds", BODY_TIMEOUT_SECONDS);
            gw.update(p);
        }
        // the servlet's service properties follow its configuration: so the new timeout is in force
        awaitService(Servlet.class, "(&(osgi.http.whiteboard.servlet.name=moryflow-openai-api)"
                + "(requestBodyTimeoutSeconds=" + BODY_TIMEOUT_SECONDS + "))");
        provider("held", "name", "Held", "baseUrl", holding.baseUrl(), "models", new String[] { "m" });
        provider("other", "name", "Other", "baseUrl", other.baseUrl(), "models", new String[] { "o" });
        awaitProvider("held");
        awaitProvider("other");
    }

    @After
    public void tearDown() throws Exception {
        deleteProviders();
        holding.close();
        other.close();
    }

    @Test
    public void fiveHundredOpenStreamsDoNotDelayAnotherProvidersChat() throws Exception {
        int streams = 500; // twice the 256 upstream calls the hub once ran at once
        ExecutorService readers = Executors.newFixedThreadPool(streams);
        List<Socket> sockets = new ArrayList<>();
        AtomicInteger firstChunks = new AtomicInteger();
        List<Future<String>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < streams; i++) {
                Socket s = open();
                sockets.add(s);
                send(s, chatBody("held/m", true));
                answers.add(readers.submit(() -> readAnswer(s, firstChunks)));
            }
            awaitCondition(() -> "of " + streams + " streams, " + firstChunks.get() + " had their first chunk and the"
                    + " upstream got " + holding.received.size() + " calls; ", () -> firstChunks.get() == streams);

            // every stream is open and waiting for the upstream: another provider's chat is answered at once
            long start = System.nanoTime();
            HttpResponse<String> answer = chat("other/o", false);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(answer.body(), 200, answer.statusCode());
            System.out.println("With " + streams + " streams open, another provider's chat took " + millis + " ms");
            assertTrue("with " + streams + " streams open another provider's chat took " + millis + " ms",
                    millis < ANSWER_WITHIN_MS);

            holding.release();
            for (Future<String> f : answers) {
                String streamed = f.get(60, TimeUnit.SECONDS);
                assertTrue("a held stream did not end with its last chunk and [DONE]: " + streamed,
                        streamed.contains("and the rest") && streamed.contains("[DONE]"));
            }
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
            readers.shutdownNow();
        }
    }

    @Test
    public void threeHundredClientsTricklingTheirBodiesDoNotDelayANormalRequest() throws Exception {
        int clients = 300; // more than Jetty's 200 threads: blocking body reads would hold every one of them
        byte[] body = chatBody("other/o", false);
        List<Socket> sockets = new ArrayList<>();
        ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
        AtomicInteger sent = new AtomicInteger(1);
        try {
            for (int i = 0; i < clients; i++) {
                Socket s = open();
                sockets.add(s);
                s.getOutputStream().write(head(body.length));
                s.getOutputStream().write(body, 0, 1);
            }
            // one byte more every 500 ms on every connection: never idle long enough for the body timeout
            trickle.scheduleAtFixedRate(() -> {
                int at = sent.getAndIncrement();
                for (Socket s : sockets) {
                    try {
                        s.getOutputStream().write(body, at, 1);
                    } catch (IOException | IndexOutOfBoundsException e) {
                        // a closed socket, or the body is out: the test ends before that
                    }
                }
            }, 500, 500, TimeUnit.MILLISECONDS);

            for (int round = 0; round < 3; round++) {
                long start = System.nanoTime();
                HttpResponse<String> answer = chat("other/o", round % 2 == 1);
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertEquals(answer.body(), 200, answer.statusCode());
                System.out.println("With " + clients + " clients trickling their bodies, a chat took " + millis
                        + " ms");
                assertTrue("with " + clients + " clients trickling their bodies a chat took " + millis + " ms",
                        millis < ANSWER_WITHIN_MS);
            }
            assertEquals("a trickling client's body reached the upstream", 3, other.all().size());
        } finally {
            trickle.shutdownNow();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    @Test
    public void aBodyThatStopsArrivingIsAnswered408AndTheConnectionClosed() throws Exception {
        byte[] body = chatBody("other/o", false);
        try (Socket s = open()) {
            s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(BODY_TIMEOUT_SECONDS * 5L));
            long start = System.nanoTime();
            s.getOutputStream().write(head(body.length));
            s.getOutputStream().write(body, 0, body.length / 2);
            s.getOutputStream().flush();
            String answer;
            try {
                answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no answer to a body that stopped arriving within "
                        + (BODY_TIMEOUT_SECONDS * 5) + " s");
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue("not a 408: " + answer, answer.startsWith("HTTP/1.1 408"));
            assertTrue("not an OpenAI error naming the setting: " + answer, answer.contains("\"code\":"
                    + "\"request_timeout\"") && answer.contains("requestBodyTimeoutSeconds"));
            assertTrue("answered after " + millis + " ms", millis >= BODY_TIMEOUT_SECONDS * 1000L - 100);
            // readAllBytes returned: the hub closed the connection after its answer
        }
        assertEquals("a half-sent body reached the upstream", 0, other.all().size());
        assertEquals(200, chat("other/o", false).statusCode());
    }

    private HttpResponse<String> chat(String model, boolean stream) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(gatewayBase()
                + "/v1/chat/completions")).timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofByteArray(chatBody(model, stream))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] chatBody(String model, boolean stream) {
        return ("{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hello there\"}]}").getBytes(StandardCharsets.UTF_8);
    }

    private Socket open() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(),
                Integer.parseInt(context.getProperty("org.osgi.service.http.port")));
        s.setTcpNoDelay(true);
        return s;
    }

    private static byte[] head(int length) {
        return ("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + TOKEN
                + "\r\nContent-Type: application/json\r\nContent-Length: " + length + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void send(Socket s, byte[] body) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(head(body.length));
        out.write(body);
        out.flush();
    }

    /** Reads a streamed answer to its [DONE], counting the stream once its first chunk is there. */
    private static String readAnswer(Socket s, AtomicInteger firstChunks) throws IOException {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        boolean first = false;
        byte[] buffer = new byte[4096];
        for (int n; (n = in.read(buffer)) > 0;) {
            seen.write(buffer, 0, n);
            String text = seen.toString(StandardCharsets.UTF_8);
            if (!first && text.contains("first piece")) {
                first = true;
                firstChunks.incrementAndGet();
            }
            if (text.contains("[DONE]")) {
                break;
            }
        }
        return seen.toString(StandardCharsets.UTF_8);
    }
}
