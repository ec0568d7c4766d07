package dev.moryflow.itests;

import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;


import javax.inject.Inject;

import org.apache.felix.service.command.CommandProcessor;
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
                mavenBundle("org.apache.felix", "org.apache.felix.gogo.command").versionAsInProject(),
                reactorBundle("shell"));
    }

    @After
    public void cleanUp() throws Exception {
        deleteProviders();
    }

    private String run(String command) throws Exception {
        return run(command, "");
    }

    private String run(String command, String input) throws Exception {
        return Gogo.run(processor, command, input);
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

    @Test
    public void keyCommandsStoreRotateListAndDeleteWithoutEverPrintingTheKey() throws Exception {
        String first = "sk-shell-FIRST-KEY-1111";
        String second = "sk-shell-SECOND-KEY-2222";
        try (FakeUpstream upstream = new FakeUpstream()) {
            provider("keyed", "name", "Keyed", "baseUrl", upstream.baseUrl(), "models", new String[] { "k-model" });
            awaitProvider("keyed");
            awaitCondition("key commands not registered", () -> context.getServiceReferences((String) null,
                    "(osgi.command.function=key-set)") != null);
            StringBuilder all = new StringBuilder();
            String set = run("moryflow:key-set keyed", first + "\n");
            all.append(set);
            assertTrue(set, set.contains("Stored the key of provider keyed (fingerprint sha256:"));
            run("moryflow:chat -w k-model hi");
            assertTrue(upstream.take().header("authorization").equals("Bearer " + first));

            String rotated = run("moryflow:key-rotate keyed", second + "\n");
            all.append(rotated);
            assertTrue(rotated, rotated.contains("Rotated the key of provider keyed"));
            run("moryflow:chat -w k-model hi");
            assertTrue(upstream.take().header("authorization").equals("Bearer " + second));

            String keys = run("moryflow:keys");
            all.append(keys);
            assertTrue(keys, keys.contains("keyed") && keys.contains("sha256:") && keys.contains(" ok"));
            String deleted = run("moryflow:key-delete keyed");
            assertTrue(deleted, deleted.contains("Deleted the key of provider keyed"));
            String rotateMissing = run("moryflow:key-rotate keyed", "x\n");
            assertTrue(rotateMissing, rotateMissing.contains("no key is stored for provider keyed"));
            assertTrue("a key was printed: " + all, !all.toString().contains(first) && !all.toString().contains(second));
        }
    }

    @Test
    public void keyConfirmLetsAHeldKeyFollowItsProviderAndSaysWhenThereIsNothingToConfirm() throws Exception {
        String key = "sk-shell-MOVING-KEY-3333";
        try (FakeUpstream before = new FakeUpstream(); FakeUpstream after = new FakeUpstream()) {
            provider("moving", "baseUrl", before.baseUrl(), "apiKey", key, "models", new String[] { "mv-model" });
            awaitProvider("moving");
            awaitKeyStored("moving");
            awaitCondition("key commands not registered", () -> context.getServiceReferences((String) null,
                    "(osgi.command.function=key-confirm)") != null);
            String nothing = run("moryflow:key-confirm moving");
            assertTrue(nothing, nothing.startsWith("error: the key of provider moving is not held"));

            provider("moving", "baseUrl", after.baseUrl(), "models", new String[] { "mv-model" });
            awaitCondition("the move was not noted", () -> run("moryflow:keys").replaceAll("\\s+", " ")
                    .contains("held: moved to " + after.origin()));
            // the provider takes its new base URL on its own Config Admin event: wait for it too
            awaitCondition("the provider does not report its key held", () -> run("moryflow:providers")
                    .contains("held: base URL moved"));
            String providers = run("moryflow:providers");
            String refused = run("moryflow:chat -w mv-model hi");
            assertTrue(refused, refused.contains("held") && refused.contains("moryflow:key-confirm moving"));
            assertTrue("the moved-to host got a request: " + after.all(), after.all().isEmpty());

            String confirmed = run("moryflow:key-confirm moving");
            assertTrue(confirmed, confirmed.contains("is now sent to " + after.origin()));
            run("moryflow:chat -w mv-model hi");
            assertTrue(after.take().header("authorization").equals("Bearer " + key));
            assertTrue(!confirmed.contains(key) && !providers.contains(key) && !refused.contains(key));
        }
    }

    @Test
    public void helpDescribesEveryDashedCommandAndHandsTheOthersToGogo() throws Exception {
        awaitCondition("shell commands not registered", () -> context.getServiceReferences((String) null,
                "(osgi.command.function=key-delete)") != null && context.getServiceReferences((String) null,
                        "(&(osgi.command.scope=moryflow)(osgi.command.function=help))") != null);
        for (String command : new String[] { "key-set", "key-rotate", "key-delete", "key-confirm", "remote-models",
            "add-models" }) {
            String help = run("moryflow:help moryflow:" + command);
            assertTrue(command + ": " + help, help.startsWith("moryflow:" + command + " - ")
                    && help.contains("usage: moryflow:" + command + " <provider>"));
        }
        String providers = run("moryflow:help moryflow:providers");
        assertTrue(providers, providers.contains("providers") && providers.contains("scope: moryflow"));
        String all = run("moryflow:help");
        assertTrue(all, all.contains("moryflow:key-confirm"));
    }
}
