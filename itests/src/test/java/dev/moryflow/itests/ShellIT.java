package dev.moryflow.itests;

import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import javax.inject.Inject;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/** The moryflow Gogo commands run through a real Gogo command processor. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ShellIT extends HubTestSupport {

    @Inject
    private CommandProcessor processor;

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return hub(newWorkDir("shell"),
                mavenBundle("org.apache.felix", "org.apache.felix.gogo.runtime").versionAsInProject(),
                reactorBundle("shell"));
    }

    @After
    public void cleanUp() throws Exception {
        deleteProviders();
    }

    private String run(String command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        try (CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), ps, ps)) {
            Object result = session.execute(command);
            if (result != null) {
                ps.print(session.format(result, 0));
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    public void chatCommandStreamsTheAnswerAndNamesTheProvider() throws Exception {
        try (FakeUpstream upstream = new FakeUpstream()) {
            provider("shellp", "name", "Shell Provider", "baseUrl", upstream.baseUrl(), "models",
                    new String[] { "shell-model" });
            awaitProvider("shellp");
            awaitCondition("shell commands not registered", () -> context.getServiceReferences((String) null,
                    "(osgi.command.scope=moryflow)") != null);

            String out = run("moryflow:chat shell-model say hello to the shell");
            assertTrue(out, out.startsWith("Hello\n[shellp/shell-model"));
            assertTrue(upstream.take().body.contains("say hello to the shell"));

            String providers = run("moryflow:providers");
            assertTrue(providers, providers.contains("shellp") && providers.contains("Shell Provider")
                    && providers.contains(upstream.baseUrl()) && providers.contains("not needed"));
            String models = run("moryflow:models");
            assertTrue(models, models.contains("shellp/shell-model"));

            String unknown = run("moryflow:chat shell-modle hi");
            assertTrue(unknown, unknown.contains("model not found") && unknown.contains("shell-model"));
        }
    }
}
