package dev.moryflow.distribution;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The fake OpenAI-compatible upstream of {@link RunningHub} (JDK HttpServer on 127.0.0.1, a thread per request). It
 * records every request as it arrived (the body byte for byte, its Authorization header, the arrival time) and answers
 * by the request's {@code model}, as OpenAI does:
 * <ul>
 * <li>{@code chat-model}: {@link #ANSWER}, whole or streamed in the four {@link #PIECES}, with {@code id},
 * {@code created}, {@code system_fingerprint}, the {@code logprobs} of every piece and usage with
 * {@code prompt_tokens_details.cached_tokens} and {@code completion_tokens_details.reasoning_tokens}; streamed, the
 * usage chunk comes only when the request asked for it ({@code "include_usage":true}). A stream can be held after its
 * first piece ({@link #holdNextStreamAfterItsFirstPiece()});</li>
 * <li>{@code broken-model}: 500 {@code server_error} "the model is overloaded";</li>
 * <li>{@code rate-limited-model}: 429 {@code rate_limit_exceeded} with {@code Retry-After: 2} and the
 * {@code x-ratelimit-*} headers;</li>
 * <li>{@code revoked-key-model}: 401 {@code invalid_api_key}, as for a key that was revoked.</li>
 * </ul>
 */
final class FakeOpenAiUpstream implements AutoCloseable {

    static final String ANSWER = "Hello from the fake upstream";
    static final List<String> PIECES = List.of("Hello", " from", " the fake", " upstream");
    /** The Retry-After of {@code rate-limited-model}'s 429, in seconds. */
    static final int RETRY_AFTER_SECONDS = 2;

    /** A request as it arrived: its model, body as received, Authorization header ("" without one), arrival time. */
    record Request(String model, String body, String authorization, long arrivedNanos) {
    }

    private static final Pattern MODEL = Pattern.compile("\"model\"\\s*:\\s*\"([^\"]*)\"");

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Request> received = new CopyOnWriteArrayList<>();
    private final AtomicReference<CountDownLatch> hold = new AtomicReference<>();

    FakeOpenAiUpstream() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** @return the base URL of its API, {@code http://127.0.0.1:<port>/v1} */
    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** @return the requests received so far for that model, in the order they arrived */
    List<Request> received(String model) {
        return received.stream().filter(r -> model.equals(r.model())).collect(Collectors.toList());
    }

    /** @return the latest request received, or null before any */
    Request last() {
        return received.isEmpty() ? null : received.get(received.size() - 1);
    }

    /**
     * The next streamed answer sends its first piece and then waits (60 s at most) until the returned latch is
     * counted down before it sends the rest: a client that shows the first piece before then got it streamed.
     */
    CountDownLatch holdNextStreamAfterItsFirstPiece() {
        CountDownLatch release = new CountDownLatch(1);
        hold.set(release);
        return release;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /** Answers a request as this fake does, for a test that serves its own upstream and records in its own way. */
    void answer(HttpExchange ex) throws IOException {
        handle(ex);
    }

    private void handle(HttpExchange ex) throws IOException {
        long arrived = System.nanoTime();
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        Matcher m = MODEL.matcher(body);
        String model = m.find() ? m.group(1) : "";
        received.add(new Request(model, body, auth == null ? "" : auth, arrived));
        switch (model) {
            case "broken-model" -> json(ex, 500, error("the model is overloaded", "server_error", "null"));
            case "rate-limited-model" -> {
                ex.getResponseHeaders().set("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
                ex.getResponseHeaders().set("x-ratelimit-limit-requests", "500");
                ex.getResponseHeaders().set("x-ratelimit-remaining-requests", "0");
                ex.getResponseHeaders().set("x-ratelimit-reset-requests", RETRY_AFTER_SECONDS + "s");
                json(ex, 429, error("Rate limit reached for requests. Please try again in " + RETRY_AFTER_SECONDS
                        + "s.", "requests", "\"rate_limit_exceeded\""));
            }
            case "revoked-key-model" -> json(ex, 401, error("Incorrect API key provided: sk-revo***oked.",
                    "invalid_request_error", "\"invalid_api_key\""));
            default -> {
                if (body.contains("\"stream\":true")) {
                    stream(ex, model, body.replace(" ", "").contains("\"include_usage\":true"));
                } else {
                    json(ex, 200, whole(model));
                }
            }
        }
    }

    private static String error(String message, String type, String code) {
        return "{\"error\":{\"message\":\"" + message + "\",\"type\":\"" + type + "\",\"param\":null,\"code\":" + code
                + "}}";
    }

    private static void json(HttpExchange ex, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static final String USAGE = "\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":4,\"total_tokens\":8,"
            + "\"prompt_tokens_details\":{\"cached_tokens\":3,\"audio_tokens\":0},\"completion_tokens_details\":"
            + "{\"reasoning_tokens\":2,\"audio_tokens\":0,\"accepted_prediction_tokens\":0,"
            + "\"rejected_prediction_tokens\":0}}";

    /** @return the head every answer of OpenAI's starts with: id, object, created, model, system_fingerprint */
    private static String head(String id, String object, String model) {
        return "{\"id\":\"" + id + "\",\"object\":\"" + object + "\",\"created\":1700000000,\"model\":\"" + model
                + "\",\"system_fingerprint\":\"fp_fake0001\",";
    }

    /** @return the logprobs of one token, with its two most likely alternatives */
    private static String logprob(String token, int rank) {
        String entry = "\"token\":\"" + token + "\",\"logprob\":-0." + (rank + 1) + "25,\"bytes\":" + bytes(token);
        return "{" + entry + ",\"top_logprobs\":[{" + entry + "},{\"token\":\"!\",\"logprob\":-3.5,\"bytes\":[33]}]}";
    }

    private static String bytes(String token) {
        StringBuilder b = new StringBuilder("[");
        for (byte x : token.getBytes(StandardCharsets.UTF_8)) {
            b.append(b.length() > 1 ? "," : "").append(x & 0xff);
        }
        return b.append(']').toString();
    }

    private static String whole(String model) {
        StringBuilder logprobs = new StringBuilder();
        for (int i = 0; i < PIECES.size(); i++) {
            logprobs.append(i > 0 ? "," : "").append(logprob(PIECES.get(i), i));
        }
        return head("chatcmpl-fake-whole", "chat.completion", model) + "\"choices\":[{\"index\":0,\"message\":{"
                + "\"role\":\"assistant\",\"content\":\"" + ANSWER + "\",\"refusal\":null},\"logprobs\":{\"content\":["
                + logprobs + "],\"refusal\":null},\"finish_reason\":\"stop\"}]," + USAGE + "}";
    }

    private void stream(HttpExchange ex, String model, boolean usage) throws IOException {
        CountDownLatch held = hold.getAndSet(null);
        String head = head("chatcmpl-fake-stream", "chat.completion.chunk", model);
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        try (OutputStream out = ex.getResponseBody()) {
            for (int i = 0; i < PIECES.size(); i++) {
                event(out, head + "\"choices\":[{\"index\":0,\"delta\":{" + (i == 0 ? "\"role\":\"assistant\"," : "")
                        + "\"content\":\"" + PIECES.get(i) + "\"},\"logprobs\":{\"content\":[" + logprob(PIECES.get(i), i)
                        + "]},\"finish_reason\":null}]}");
                if (i == 0 && held != null && !held.await(60, TimeUnit.SECONDS)) {
                    throw new IOException("the held stream was not released within 60 s");
                }
            }
            event(out, head + "\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}]}");
            if (usage) {
                event(out, head + "\"choices\":[]," + USAGE + "}");
            }
            event(out, "[DONE]");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void event(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
