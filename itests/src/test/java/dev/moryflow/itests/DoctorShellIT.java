package dev.moryflow.itests;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import javax.inject.Inject;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import dev.moryflow.itests.FakeUpstream.Reply;

/**
 * {@code moryflow:test} and {@code moryflow:doctor} in the Gogo shell, as a user reads them. Each report is also
 * appended to {@code target/doctor-samples.txt} (the samples in the README come from there).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DoctorShellIT extends HubTestSupport {

    @Inject
    private CommandProcessor processor;

    private FakeUpstream upstream;

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return hub(newWorkDir("doctor-shell"),
                mavenBundle("org.apache.felix", "org.apache.felix.gogo.runtime").versionAsInProject(),
                reactorBundle("doctor"),
                reactorBundle("shell"));
    }

    @Before
    public void start() throws Exception {
        upstream = new FakeUpstream();
        awaitCondition("doctor commands not registered", () -> context.getServiceReferences((String) null,
                "(&(osgi.command.scope=moryflow)(osgi.command.function=doctor))") != null);
    }

    @After
    public void stop() throws Exception {
        deleteProviders();
        upstream.close();
    }

    private String run(String command) throws Exception {
        String text = Gogo.run(processor, command, "");
        Path samples = Path.of(System.getProperty("itest.work", "target/itest-work")).getParent()
                .resolve("doctor-samples.txt");
        Files.writeString(samples, "g! " + command + "\n" + text + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return text;
    }

    @Test
    public void testCommandOnAHealthyProvider() throws Exception {
        provider("local", "baseUrl", upstream.baseUrl(), "models", new String[] { "remote-a" });
        awaitProvider("local");
        String out = run("moryflow:test local remote-a");
        assertTrue(out, out.contains("✓ Test message") && out.contains("answered \"Hello from remote-a\""));
        assertTrue(out, out.contains("OK in "));
        assertFalse(out, out.contains("✗"));
    }

    @Test
    public void doctorCommandOnAStoppedLocalServer() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        provider("lmstudio", "baseUrl", "http://127.0.0.1:" + port + "/v1", "preset", "lmstudio", "models",
                new String[] { "qwen2.5-7b-instruct" });
        awaitProvider("lmstudio");
        String out = run("moryflow:doctor lmstudio");
        assertTrue(out, out.contains("✗ Connection"));
        assertTrue(out, out.contains("cause: connection refused by 127.0.0.1:" + port));
        assertTrue(out, out.contains("fix:   Is LM Studio's server started on port " + port + "?"));
        assertTrue(out, out.contains("- Key") && out.contains("skipped"));
        assertTrue(out, out.contains("FAILED in "));
    }

    @Test
    public void doctorCommandOnAMissingV1() throws Exception {
        upstream.script(r -> r.path.startsWith("/v1/") ? FakeUpstream.defaultReply(r)
                : Reply.raw(404, "text/html", "<html><body>404 Not Found</body></html>"));
        provider("nov1", "baseUrl", upstream.origin(), "models", new String[] { "remote-a" });
        awaitProvider("nov1");
        String out = run("moryflow:doctor nov1");
        assertTrue(out, out.contains("✗ Base URL"));
        assertTrue(out, out.contains("fix:   Set baseUrl = " + upstream.origin() + "/v1."));
    }

    @Test
    public void testCommandOnAModelTypo() throws Exception {
        upstream.script(r -> r.path.endsWith("/chat/completions") && r.body.contains("remote-c")
                ? Reply.json(404, "{\"error\":{\"message\":\"The model `remote-c` does not exist\","
                        + "\"code\":\"model_not_found\"}}")
                : FakeUpstream.defaultReply(r));
        provider("typo", "baseUrl", upstream.baseUrl(), "models", new String[] { "remote-a" });
        awaitProvider("typo");
        String out = run("moryflow:test typo remote-c");
        assertTrue(out, out.contains("✗ Model"));
        assertTrue(out, out.contains("did you mean remote-a, remote-b?"));
    }
}
