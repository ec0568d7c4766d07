package dev.moryflow.itests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake upstream on a raw server socket, for what the JDK's HttpServer cannot be told to do: keep each connection
 * alive and close it after a set time without a request (as Node's {@code keepAliveTimeout} and uvicorn do), and send
 * answers of any size generated while they are written (chunked, never held in memory). HTTP/1.1 only; each request
 * is answered by the {@link Answer} given at construction.
 */
final class RawUpstream implements AutoCloseable {

    /** Writes the whole answer (status line, headers, body) for one request. */
    interface Answer {
        void write(String body, OutputStream out) throws IOException;
    }

    private final ServerSocket server;
    private final int idleCloseMillis;
    private final Answer answer;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger idleClosed = new AtomicInteger();
    private final AtomicInteger cutByClient = new AtomicInteger();

    /**
     * @param idleCloseMillis how long a connection may wait for its next request before this server closes it
     * @param answer          the answer to every request
     */
    RawUpstream(int idleCloseMillis, Answer answer) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.idleCloseMillis = idleCloseMillis;
        this.answer = answer;
        threads.execute(this::accept);
    }

    /** @return {@code http://127.0.0.1:<port>/v1} */
    String baseUrl() {
        return "http://" + server.getInetAddress().getHostAddress() + ":" + server.getLocalPort() + "/v1";
    }

    /** @return the body of every request received, in order */
    List<String> requests() {
        synchronized (requests) {
            return new ArrayList<>(requests);
        }
    }

    /** @return how many connections were accepted */
    int connections() {
        return connections.get();
    }

    /** @return how many connections this server closed because no request came in time */
    int idleClosed() {
        return idleClosed.get();
    }

    /** @return how many answers could not be written to the end because the client closed the connection */
    int cutByClient() {
        return cutByClient.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.incrementAndGet();
                threads.execute(() -> serve(s));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setSoTimeout(idleCloseMillis);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            while (true) {
                String head;
                try {
                    head = readHead(in);
                } catch (SocketTimeoutException idle) {
                    idleClosed.incrementAndGet();
                    return; // closes the connection, as a server with a keep-alive timeout does
                }
                if (head == null) {
                    return;
                }
                byte[] body = in.readNBytes(contentLength(head));
                String text = new String(body, StandardCharsets.UTF_8);
                requests.add(text);
                try {
                    answer.write(text, out);
                    out.flush();
                } catch (SocketException cut) {
                    cutByClient.incrementAndGet();
                    return;
                }
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    /** @return the request line and headers, or null when the connection ended before a request */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = { '\r', '\n', '\r', '\n' };
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("content-length")) {
                return Integer.parseInt(line.substring(colon + 1).trim());
            }
        }
        return 0;
    }

    /** Writes a whole answer with a Content-Length. */
    static void whole(OutputStream out, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: " + contentType + "\r\nContent-Length: " + bytes.length
                + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(bytes);
    }

    /**
     * Writes a chunked answer: {@code prefix}, then {@code fillBytes} bytes of the letter {@code a} written 64 KiB at a
     * time, then {@code suffix}. Never holds more than 64 KiB.
     */
    static void chunked(OutputStream out, String contentType, String prefix, long fillBytes, String suffix)
            throws IOException {
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: " + contentType + "\r\nTransfer-Encoding: chunked\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        chunk(out, prefix.getBytes(StandardCharsets.UTF_8), -1);
        byte[] fill = new byte[64 * 1024];
        java.util.Arrays.fill(fill, (byte) 'a');
        for (long left = fillBytes; left > 0; left -= fill.length) {
            chunk(out, fill, (int) Math.min(left, fill.length));
        }
        chunk(out, suffix.getBytes(StandardCharsets.UTF_8), -1);
        out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    }

    private static void chunk(OutputStream out, byte[] bytes, int length) throws IOException {
        int n = length < 0 ? bytes.length : length;
        if (n == 0) {
            return;
        }
        out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(bytes, 0, n);
        out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}
