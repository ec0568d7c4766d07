package dev.moryflow.distribution;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A scratch copy of the assembled runtime, started with {@code bin/moryflow} on a free port, with one provider
 * "fake" on a fake OpenAI-compatible upstream (JDK HttpServer on 127.0.0.1) and a known gateway token. The fake's
 * {@code chat-model} answers "Hello from the fake upstream" (streamed in four pieces when asked), its
 * {@code broken-model} fails with HTTP 500.
 */
final class RunningHub implements AutoCloseable {

    static final String TOKEN = "distribution-test-gateway-token";
    static final String ANSWER = "Hello from the fake upstream";
    private static final String[] PIECES = { "Hello", " from", " the fake", " upstream" };

    private final HttpServer upstream;
    private final Path home;
    private final Process hub;
    private final int port;
    /** The Authorization header of the upstream's latest request, or "" when it had none. */
    private volatile String lastAuthorization;

    RunningHub() throws Exception {
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        upstream.createContext("/", ex -> {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            lastAuthorization = auth == null ? "" : auth;
            answer(ex);
        });
        upstream.start();
        home = Files.createTempDirectory("moryflow-hub");
        copy(TestPaths.fromProperty("moryflow.dir"), home);
        Files.writeString(home.resolve("deploy/moryflow.provider.openai-fake.cfg"), "name = Fake Upstream\n"
                + "baseUrl = http://127.0.0.1:" + upstream.getAddress().getPort() + "/v1\n"
                + "models = chat-model, broken-model\n");
        Files.writeString(home.resolve("deploy/moryflow.gateway.cfg"), "token = " + TOKEN + "\n");
        port = freePort();
        ProcessBuilder pb = new ProcessBuilder("sh", home.resolve("bin/moryflow").toString())
                .redirectErrorStream(true).redirectOutput(home.resolve("hub.out").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("JAVA_OPTS", "-Dorg.osgi.service.http.port=" + port);
        hub = pb.start();
        awaitHttp(base() + "/v1/models", "fake/chat-model", TOKEN);
    }

    /** @return {@code http://127.0.0.1:<port>} */
    String base() {
        return "http://127.0.0.1:" + port;
    }

    /** @return the fake upstream's base URL, {@code http://127.0.0.1:<port>/v1}, for more providers on it */
    String upstreamBaseUrl() {
        return "http://127.0.0.1:" + upstream.getAddress().getPort() + "/v1";
    }

    /** @return the Authorization header of the fake upstream's latest request ("" without one), or null before any */
    String lastAuthorization() {
        return lastAuthorization;
    }

    /**
     * @return the Web Console password the hub printed at its first start (the line {@code Web Console password for
     *         user admin: <password>} on standard output), waiting for it up to 60 s
     */
    String consolePassword() throws Exception {
        java.util.regex.Pattern line = java.util.regex.Pattern.compile(
                "(?m)^Web Console password for user admin: ([A-Za-z0-9_-]+)");
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            java.util.regex.Matcher m = line.matcher(Files.readString(home.resolve("hub.out")));
            if (m.find()) {
                return m.group(1);
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("no line 'Web Console password for user admin: ...' in " + home.resolve(
                        "hub.out") + " within 60 s");
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    /** @return the runtime's folder */
    Path home() {
        return home;
    }

    @Override
    public void close() throws Exception {
        hub.destroy();
        if (!hub.waitFor(20, TimeUnit.SECONDS)) {
            hub.destroyForcibly();
        }
        upstream.stop(0);
    }

    /** Answers a chat request as the fake upstream does (whole, streamed, or the broken model's 500). */
    static void answer(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        if (body.contains("\"broken-model\"")) {
            byte[] err = "{\"error\":{\"message\":\"the model is overloaded\",\"type\":\"server_error\"}}"
                    .getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(500, err.length);
            ex.getResponseBody().write(err);
            ex.close();
            return;
        }
        if (!body.contains("\"stream\":true")) {
            byte[] whole = ("{\"id\":\"c1\",\"object\":\"chat.completion\",\"model\":\"chat-model\",\"choices\":[{\"index\":0,"
                    + "\"message\":{\"role\":\"assistant\",\"content\":\"" + ANSWER + "\"},\"finish_reason\":\"stop\"}],"
                    + "\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":4,\"total_tokens\":8}}")
                    .getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, whole.length);
            ex.getResponseBody().write(whole);
            ex.close();
            return;
        }
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        try (OutputStream out = ex.getResponseBody()) {
            for (String piece : PIECES) {
                out.write(("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + piece + "\"}}]}\n\n")
                        .getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            out.write(("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
                    + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":4,\"total_tokens\":8}}\n\n"
                    + "data: [DONE]\n\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Waits (60 s at most) until the URL answers 200, containing {@code mustContain} when given. */
    static void awaitHttp(String url, String mustContain, String token) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5));
                if (token != null) {
                    b.header("Authorization", "Bearer " + token);
                }
                HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && (mustContain == null || r.body().contains(mustContain))) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > end) {
                throw new AssertionError(url + " did not answer within 60 s");
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
