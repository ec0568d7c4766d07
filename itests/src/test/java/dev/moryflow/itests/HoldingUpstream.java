package dev.moryflow.itests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream that holds every call it gets, one thread per connection (so it can hold hundreds at once): it reads
 * the request, optionally sends the first chunk of a stream, and then sends nothing more until the hub closes the
 * connection (noticed at once: it keeps reading) or, once {@link #release()} is called, ends each held stream with a
 * last chunk and {@code [DONE]}.
 */
final class HoldingUpstream implements AutoCloseable {
    final ServerSocket server = new ServerSocket(0, 1000, InetAddress.getLoopbackAddress());
    final ExecutorService threads = Executors.newCachedThreadPool();
    final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    final AtomicInteger accepted = new AtomicInteger();
    final AtomicInteger closed = new AtomicInteger();
    /** Streams ended with [DONE] after {@link #release()}. */
    final AtomicInteger finished = new AtomicInteger();
    volatile boolean sendFirstChunk;
    private final CompletableFuture<Void> released = new CompletableFuture<>();
    private volatile CountDownLatch onClose = new CountDownLatch(1);

    HoldingUpstream() throws IOException {
        threads.execute(this::accept);
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getLocalPort() + "/v1";
    }

    CountDownLatch nextClose() {
        CountDownLatch l = new CountDownLatch(1);
        onClose = l;
        return l;
    }

    /** Ends every held stream that sent its first chunk, now and from now on. */
    void release() {
        released.complete(null);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                accepted.incrementAndGet();
                threads.execute(() -> hold(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void hold(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            String head = readHead(in);
            int length = 0;
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
            boolean chunked = sendFirstChunk && body.contains("\"stream\":true");
            OutputStream out = s.getOutputStream();
            if (chunked) {
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + chunk(event("first piece", null))).getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            received.add(body);
            if (chunked) {
                // the hub closing the connection ends the wait as well (the read below then sees the end)
                threads.execute(() -> {
                    released.join();
                    try {
                        out.write((chunk(event(" and the rest", "stop")) + chunk("data: [DONE]\n\n") + "0\r\n\r\n")
                                .getBytes(StandardCharsets.UTF_8));
                        out.flush();
                        finished.incrementAndGet();
                    } catch (IOException gone) {
                        // the hub closed it first
                    }
                });
            }
            while (in.read() >= 0) {
                // silent: wait for the hub to close the connection
            }
        } catch (IOException e) {
            // reset by the hub: closed as well
        } finally {
            closed.incrementAndGet();
            onClose.countDown();
        }
    }

    private static String event(String text, String finish) {
        return "data: {\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{\"index\":0,"
                + "\"delta\":{\"content\":\"" + text + "\"},\"finish_reason\":" + (finish == null ? "null"
                        : "\"" + finish + "\"") + "}]}\n\n";
    }

    private static String chunk(String data) {
        return Integer.toHexString(data.getBytes(StandardCharsets.UTF_8).length) + "\r\n" + data + "\r\n";
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before a request");
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        release();
        server.close();
        threads.shutdownNow();
    }
}
