package dev.moryflow.distribution;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeFalse;
import static org.junit.Assume.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.Test;

import com.sun.net.httpserver.HttpServer;

/**
 * Starts the assembled runtime with src/test/sh/smoke.sh (a scratch copy, on a free port) and fails with the
 * script's FAIL lines. Skipped with -Dsmoke.skip=true, or where bash or curl is missing.
 */
public class RuntimeSmokeIT {

    private static final long TIMEOUT_MINUTES = 8;

    @Test
    public void assembledRuntimeStartsAndPassesTheSmokeChecks() throws Exception {
        assumeFalse("smoke test skipped (-Dsmoke.skip=true)", Boolean.getBoolean("moryflow.smoke.skip"));
        assumeTrue("the smoke test needs bash and curl on the PATH", onPath("bash") && onPath("curl"));
        Path script = Paths.get(System.getProperty("moryflow.smoke.script"));
        Path runtime = Paths.get(System.getProperty("moryflow.dir"));
        Path output = Files.createTempFile("moryflow-smoke", ".out");
        Path received = Files.createTempFile("moryflow-smoke-upstream", ".log");
        HttpServer upstream = fakeUpstream(received);
        try {
            ProcessBuilder builder = new ProcessBuilder("bash", script.toString(), runtime.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().put("PORT", Integer.toString(freePort()));
            builder.environment().put("SMOKE_UPSTREAM", "http://127.0.0.1:" + upstream.getAddress().getPort() + "/v1");
            builder.environment().put("SMOKE_UPSTREAM_LOG", received.toString());
            Process process = builder.start();
            boolean finished = process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES);
            if (!finished) {
                process.destroyForcibly();
            }
            List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
            lines.forEach(System.out::println);
            assertTrue("smoke.sh did not finish within " + TIMEOUT_MINUTES + " minutes", finished);
            String failures = lines.stream().filter(line -> line.startsWith("FAIL")).collect(Collectors.joining("\n"));
            assertEquals("smoke.sh failed:\n" + failures + "\n", 0, process.exitValue());
        } finally {
            upstream.stop(0);
            Files.deleteIfExists(output);
            Files.deleteIfExists(received);
        }
    }

    /**
     * An OpenAI-compatible upstream on loopback for the script's chats: answers a whole chat as JSON and a streamed
     * one as two SSE chunks and {@code [DONE]}, and appends the {@code Authorization} header of each request to
     * {@code received}, so the script can check which key arrived.
     */
    private static HttpServer fakeUpstream(Path received) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/chat/completions", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            synchronized (received) {
                Files.writeString(received, "Authorization: " + exchange.getRequestHeaders().getFirst("Authorization")
                        + "\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
            }
            boolean stream = body.replace(" ", "").contains("\"stream\":true");
            byte[] answer = (stream
                    ? "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"smoke-model\","
                            + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hello from \"}}]}\n\n"
                            + "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"smoke-model\","
                            + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"the smoke upstream\"},"
                            + "\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n"
                    : "{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"smoke-model\","
                            + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
                            + "\"Hello from the smoke upstream\"},\"finish_reason\":\"stop\"}]}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", stream ? "text/event-stream" : "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            try (java.io.OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        server.start();
        return server;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Paths.get(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
