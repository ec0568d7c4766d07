package dev.moryflow.distribution;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A scratch copy of the assembled runtime, started with {@code bin/moryflow} on a free port, with one provider
 * "fake" on a {@link FakeOpenAiUpstream} listing its models ({@code chat-model} answers "Hello from the fake
 * upstream", streamed in four pieces when asked; {@code broken-model} fails with HTTP 500; {@code rate-limited-model}
 * answers 429 with Retry-After; {@code revoked-key-model} answers 401) and a known gateway token.
 */
final class RunningHub implements AutoCloseable {

    static final String TOKEN = "distribution-test-gateway-token";
    static final String ANSWER = FakeOpenAiUpstream.ANSWER;

    private final FakeOpenAiUpstream upstream;
    private final Path home;
    private final Process hub;
    private final int port;

    RunningHub() throws Exception {
        upstream = new FakeOpenAiUpstream();
        home = Files.createTempDirectory("moryflow-hub");
        copy(TestPaths.fromProperty("moryflow.dir"), home);
        Files.writeString(home.resolve("deploy/moryflow.provider.openai-fake.cfg"), "name = Fake Upstream\n"
                + "baseUrl = " + upstream.baseUrl() + "\n"
                + "models = chat-model, broken-model, rate-limited-model, revoked-key-model\n");
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
        return upstream.baseUrl();
    }

    /** @return the fake upstream, for what it received and for holding a stream */
    FakeOpenAiUpstream upstream() {
        return upstream;
    }

    /** @return the Authorization header of the fake upstream's latest request ("" without one), or null before any */
    String lastAuthorization() {
        FakeOpenAiUpstream.Request last = upstream.last();
        return last == null ? null : last.authorization();
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
        upstream.close();
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

    /** Copies a folder tree (the unpacked runtime, an unpacked Karaf), replacing what is there. */
    static void copy(Path from, Path to) throws IOException {
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
