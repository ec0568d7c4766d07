package dev.moryflow.itests;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A fake OpenAI-compatible upstream on 127.0.0.1 or another loopback address (JDK HttpServer): answers chat completions whole or as SSE, lists
 * models, and records every request it receives. Tests can replace the answer per request with {@link #script}.
 */
public final class FakeUpstream implements AutoCloseable {

    /** A request as the upstream received it. Header names are lower-cased. */
    public static final class Received {
        public final String method;
        public final String path;
        public final String query;
        public final Map<String, List<String>> headers;
        public final String body;

        Received(String method, String path, String query, Map<String, List<String>> headers, String body) {
            this.method = method;
            this.path = path;
            this.query = query;
            this.headers = headers;
            this.body = body;
        }

        public String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null || v.isEmpty() ? null : v.get(0);
        }

        @Override
        public String toString() {
            return method + " " + path + (query == null ? "" : "?" + query) + " " + body;
        }
    }

    /** An answer: a status, a content type and either a body or SSE events written one by one. */
    public static final class Reply {
        final int status;
        final String contentType;
        final String body;
        final List<String> events;

        private Reply(int status, String contentType, String body, List<String> events) {
            this.status = status;
            this.contentType = contentType;
            this.body = body;
            this.events = events;
        }

        /** A redirect: the status (301, 302, 307, 308…) with a {@code Location} header and a short JSON body. */
        public static Reply redirect(int status, String location) {
            Reply r = new Reply(status, "application/json", "{\"moved\":\"" + location + "\"}", null);
            r.location = location;
            return r;
        }

        String location;

        public static Reply json(int status, String body) {
            return new Reply(status, "application/json", body, null);
        }

        /** Any status, content type and body, sent as it is (HTML pages, raw streams, wrong content types). */
        public static Reply raw(int status, String contentType, String body) {
            return new Reply(status, contentType, body, null);
        }

        public static Reply sse(List<String> dataLines) {
            return new Reply(200, "text/event-stream", null, dataLines);
        }

        /**
         * An SSE answer that sends these events, then keeps the answer coming (a "." chunk every 20 ms, for 30 s at
         * most) until the other side closes the connection, which completes {@code closed}.
         */
        public static Reply sseUntilClosed(List<String> dataLines, java.util.concurrent.CompletableFuture<Boolean> closed) {
            return sseHeld(dataLines, new java.util.concurrent.CompletableFuture<>(), closed);
        }

        /**
         * A stream the test holds open: sends these events, then a "." chunk every 20 ms until {@code release}
         * completes (then a last chunk with {@code finish_reason: stop} and {@code [DONE]}, and {@code closed}
         * completes with false) or the other side closes the connection ({@code closed} completes with true); 30 s
         * at most, after which it ends without {@code [DONE]}.
         */
        public static Reply sseHeld(List<String> dataLines, java.util.concurrent.CompletableFuture<?> release,
                java.util.concurrent.CompletableFuture<Boolean> closed) {
            Reply r = new Reply(200, "text/event-stream", null, dataLines);
            r.closed = closed;
            r.release = release;
            return r;
        }

        /** A whole answer sent only once {@code release} completes (30 s at most, then sent anyway). */
        public static Reply jsonHeld(String body, java.util.concurrent.CompletableFuture<?> release) {
            Reply r = json(200, body);
            r.release = release;
            return r;
        }

        java.util.concurrent.CompletableFuture<Boolean> closed;
        java.util.concurrent.CompletableFuture<?> release;

        /**
         * An SSE answer sent in step with its client: the first event at once, each next one only when the client
         * says it got the one before ({@code delivered.release()}). Waits 10 s at most for that, then ends the answer
         * there: through a hub that holds events back, the client gets the first event only after the answer ended.
         */
        public static Reply ssePaced(List<String> dataLines, java.util.concurrent.Semaphore delivered) {
            Reply r = new Reply(200, "text/event-stream", null, dataLines);
            r.delivered = delivered;
            return r;
        }

        java.util.concurrent.Semaphore delivered;

        /** Extra response headers, set by the factories at the end of {@link FakeUpstream}. */
        final Map<String, String> headers = new java.util.LinkedHashMap<>();
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final LinkedBlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final List<Received> all = Collections.synchronizedList(new ArrayList<>());
    private volatile Function<Received, Reply> script = FakeUpstream::defaultReply;

    public FakeUpstream() throws IOException {
        this(InetAddress.getLoopbackAddress());
    }

    /**
     * @param bindTo the loopback address to listen on, for example {@code 127.0.0.2} for an upstream on another
     *               host than 127.0.0.1 (Linux routes all of 127.0.0.0/8 on the loopback interface)
     */
    public FakeUpstream(InetAddress bindTo) throws IOException {
        server = HttpServer.create(new InetSocketAddress(bindTo, 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** @return the base URL of the OpenAI-compatible API, {@code http://127.0.0.1:<port>/v1} */
    public String baseUrl() {
        return origin() + "/v1";
    }

    /** @return {@code http://127.0.0.1:<port>} (or the address it was bound to) */
    public String origin() {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort();
    }

    /** Replaces how requests are answered. */
    public void script(Function<Received, Reply> s) {
        this.script = s;
    }

    /**
     * @return the next request received, waiting up to 10 s
     * @throws AssertionError when none arrives
     */
    public Received take() throws InterruptedException {
        Received r = received.poll(10, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("the fake upstream received no request within 10 s");
        }
        return r;
    }

    /** Forgets requests received so far. */
    public void clear() {
        received.clear();
    }

    /** @return every request received since start */
    public List<Received> all() {
        synchronized (all) {
            return new ArrayList<>(all);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        Map<String, List<String>> headers = new TreeMap<>();
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Received r = new Received(ex.getRequestMethod(), ex.getRequestURI().getPath(), ex.getRequestURI().getRawQuery(),
                headers, body);
        all.add(r);
        received.add(r);
        Reply reply = script.apply(r);
        ex.getResponseHeaders().set("Content-Type", reply.contentType);
        if (reply.location != null) {
            ex.getResponseHeaders().set("Location", reply.location);
        }
        reply.headers.forEach((name, value) -> ex.getResponseHeaders().set(name, value));
        if (reply.events == null) {
            if (reply.release != null) {
                awaitRelease(reply.release, TimeUnit.SECONDS.toMillis(30));
            }
            byte[] bytes = reply.body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(reply.status, bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        } else {
            ex.sendResponseHeaders(reply.status, 0);
            try (OutputStream out = ex.getResponseBody()) {
                for (int i = 0; i < reply.events.size(); i++) {
                    if (i > 0 && !previousDelivered(reply)) {
                        break;
                    }
                    out.write(("data: " + reply.events.get(i) + "\n\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
                if (reply.closed != null) {
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    try {
                        boolean released = false;
                        while (!released && System.nanoTime() < end) {
                            released = awaitRelease(reply.release, 20);
                            out.write(("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\".\"}"
                                    + (released ? ",\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n" : "}]}\n\n"))
                                    .getBytes(StandardCharsets.UTF_8));
                            out.flush();
                        }
                        reply.closed.complete(false);
                    } catch (IOException gone) {
                        reply.closed.complete(true);
                        return;
                    }
                }
            } catch (IOException e) {
                if (reply.closed != null) {
                    reply.closed.complete(true);
                }
                return;
            }
        }
        ex.close();
    }

    /** @return true when the reply is not paced, or its client got the previous event within 10 s */
    private static boolean previousDelivered(Reply reply) {
        try {
            return reply.delivered == null || reply.delivered.tryAcquire(10, TimeUnit.SECONDS);
        } catch (InterruptedException stop) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** @return whether {@code release} completed within {@code millis} (the pace of a held answer) */
    private static boolean awaitRelease(java.util.concurrent.CompletableFuture<?> release, long millis) {
        try {
            release.get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException notYet) {
            return false;
        } catch (java.util.concurrent.ExecutionException failed) {
            return true;
        } catch (InterruptedException stop) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /** The default answers: chat whole or streamed, and a model list. */
    public static Reply defaultReply(Received r) {
        if (r.path.endsWith("/models") && "GET".equals(r.method)) {
            return Reply.json(200, "{\"object\":\"list\",\"data\":[{\"id\":\"remote-a\",\"object\":\"model\"},"
                    + "{\"id\":\"remote-b\",\"object\":\"model\"}]}");
        }
        if (r.path.endsWith("/chat/completions")) {
            String model = Json.field(r.body, "model");
            if (r.body.contains("\"stream\":true")) {
                return Reply.sse(List.of(
                        "{\"id\":\"s1\",\"object\":\"chat.completion.chunk\",\"model\":\"" + model
                                + "\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"}}]}",
                        "{\"id\":\"s1\",\"object\":\"chat.completion.chunk\",\"model\":\"" + model
                                + "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}",
                        "{\"id\":\"s1\",\"object\":\"chat.completion.chunk\",\"model\":\"" + model
                                + "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"},\"finish_reason\":\"stop\"}]}",
                        "{\"id\":\"s1\",\"object\":\"chat.completion.chunk\",\"model\":\"" + model
                                + "\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}",
                        "[DONE]"));
            }
            return Reply.json(200, "{\"id\":\"c1\",\"object\":\"chat.completion\",\"model\":\"" + model
                    + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hello from "
                    + model + "\"},\"finish_reason\":\"stop\"}],"
                    + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3,\"total_tokens\":8}}");
        }
        return Reply.json(404, "{\"error\":{\"message\":\"no route " + r.path + "\",\"type\":\"invalid_request_error\"}}");
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
    // ------------------------------------------------------------- errors as upstreams send them (issue 11)

    /**
     * A 429 as OpenAI sends it: an error object with {@code rate_limit_exceeded}, {@code Retry-After} and the
     * {@code x-ratelimit-*} headers.
     */
    public static Reply rateLimited(int retryAfterSeconds, int remainingRequests) {
        Reply r = Reply.json(429, "{\"error\":{\"message\":\"Rate limit reached for requests. Please try again in "
                + retryAfterSeconds + "s.\",\"type\":\"requests\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}");
        r.headers.put("Retry-After", String.valueOf(retryAfterSeconds));
        r.headers.put("x-ratelimit-remaining-requests", String.valueOf(remainingRequests));
        r.headers.put("x-ratelimit-limit-requests", "500");
        r.headers.put("x-ratelimit-reset-requests", retryAfterSeconds + "s");
        return r;
    }

    /** An error answer with the upstream's own {@code code}, {@code type}, {@code param} and message. */
    public static Reply errorWithCode(int status, String code, String type, String param, String message) {
        return Reply.json(status, errorObject(code, type, param, message));
    }

    /**
     * A stream that sends one content chunk, then an error event {@code {"error": {...}}} with the upstream's own
     * code (as OpenRouter and vLLM do when a model fails mid-answer), and no {@code [DONE]}.
     */
    public static Reply midStreamError(String code, String message) {
        return Reply.sse(List.of("{\"id\":\"s1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
                + "\"delta\":{\"role\":\"assistant\",\"content\":\"Par\"}}]}", errorObject(code, "server_error", null, message)));
    }

    /** @return {@code {"error":{"message","type","param","code"}}} */
    public static String errorObject(String code, String type, String param, String message) {
        return "{\"error\":{\"message\":\"" + message + "\",\"type\":\"" + type + "\",\"param\":"
                + (param == null ? "null" : "\"" + param + "\"") + ",\"code\":\"" + code + "\"}}";
    }
}
