package dev.moryflow.distribution;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeFalse;
import static org.junit.Assume.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.Test;

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
        try {
            ProcessBuilder builder = new ProcessBuilder("bash", script.toString(), runtime.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().put("PORT", Integer.toString(freePort()));
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
            Files.deleteIfExists(output);
        }
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
