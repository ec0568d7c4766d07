package dev.moryflow.http.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.After;
import org.junit.Test;

import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

public class StaleConnectionGuardTest {

    /** What the first connection does after its first answer. */
    private enum Then { CLOSE, READ_NEXT_AND_CLOSE, HTTP_1_0 }

    private ServerSocket server;
    private final List<String> bodies = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger connections = new AtomicInteger();
    private final CountDownLatch firstClosed = new CountDownLatch(1);

    @After
    public void tearDown() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    /** Connection 1 answers one request, then does {@code then}; later connections answer every request. */
    private String start(Then then) throws IOException {
        server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    int n = connections.incrementAndGet();
                    Thread c = new Thread(() -> serve(s, n == 1 || then == Then.HTTP_1_0 ? then : null));
                    c.setDaemon(true);
                    c.start();
                } catch (IOException closed) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return "http://127.0.0.1:" + server.getLocalPort() + "/v1/chat/completions";
    }

    private void serve(Socket s, Then then) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            for (int answered = 0;; answered++) {
                String body = readRequest(in);
                if (body == null) {
                    return;
                }
                bodies.add(body);
                if (then == Then.READ_NEXT_AND_CLOSE && answered == 1) {
                    return; // read the request, then dropped it: it may have been processed
                }
                if (then == Then.HTTP_1_0) {
                    // as Python's http.server answers: HTTP/1.0, no keep-alive, the connection closed after it
                    out.write("HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    return;
                }
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                if (then == Then.CLOSE) {
                    s.close();
                    firstClosed.countDown();
                    return; // an idle keep-alive connection closed by the server
                }
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private static String readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        int length = 0;
        for (String line : head.toString(StandardCharsets.ISO_8859_1).split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static OkHttpClient client() {
        return new OkHttpClient.Builder().addInterceptor(new ConnectRetryInterceptor(0))
                .addNetworkInterceptor(new StaleConnectionGuard(0)).build();
    }

    @Test
    public void aServerAnsweringHttp10AndClosingEachConnectionGetsEveryPostOnce() throws Exception {
        String url = start(Then.HTTP_1_0);
        OkHttpClient client = new OkHttpClient.Builder().addInterceptor(new ConnectRetryInterceptor(0))
                .addNetworkInterceptor(new StaleConnectionGuard(StaleConnectionGuard.DEFAULT_PROBE_AFTER_IDLE_NANOS))
                .build();
        for (int i = 1; i <= 5; i++) {
            try (Response r = client.newCall(post(url, "{\"n\":" + i + "}")).execute()) {
                assertEquals("{}", r.body().string());
            }
        }
        assertEquals("each POST reached the server once", List.of("{\"n\":1}", "{\"n\":2}", "{\"n\":3}",
                "{\"n\":4}", "{\"n\":5}"), bodies);
    }

    private static Request post(String url, String body) {
        return new Request.Builder().url(url).post(RequestBody.create(body, MediaType.get("application/json")))
                .build();
    }

    @Test
    public void aPostOnAPooledConnectionTheServerHadClosedIsSentOnceOnAFreshOne() throws Exception {
        String url = start(Then.CLOSE);
        OkHttpClient client = client();
        try (Response r = client.newCall(post(url, "{\"n\":1}")).execute()) {
            assertEquals("{}", r.body().string());
        }
        assertTrue("the server did not close the connection", firstClosed.await(5, TimeUnit.SECONDS));
        try (Response r = client.newCall(post(url, "{\"n\":2}")).execute()) {
            assertEquals("{}", r.body().string());
        }
        assertEquals("each POST reached the server once", List.of("{\"n\":1}", "{\"n\":2}"), bodies);
        assertEquals(2, connections.get());
    }

    @Test
    public void aPostTheServerReadAndDroppedIsNeverSentAgain() throws Exception {
        String url = start(Then.READ_NEXT_AND_CLOSE);
        OkHttpClient client = client();
        try (Response r = client.newCall(post(url, "{\"n\":1}")).execute()) {
            assertEquals("{}", r.body().string());
        }
        try (Response r = client.newCall(post(url, "{\"n\":2}")).execute()) {
            fail("the dropped POST was sent again and answered: " + r.code());
        } catch (IOException expected) {
            // the failure reaches the caller
        }
        assertEquals("the dropped POST reached the server once", List.of("{\"n\":1}", "{\"n\":2}"), bodies);
        assertEquals(1, connections.get());
    }
}
