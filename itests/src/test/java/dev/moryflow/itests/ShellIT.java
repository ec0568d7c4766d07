package dev.moryflow.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;


import java.util.Dictionary;
import java.util.Map;

import javax.inject.Inject;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import dev.moryflow.credentials.CredentialStore;

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

    /**
     * Karaf's bin/client and ssh print nothing a command returns; Felix's shell prints what it returns. So the
     * commands print and return nothing: both show the answer, Felix's once.
     */
    @Test
    public void commandsPrintTheirAnswerOnceAndReturnNothing() throws Exception {
        awaitCondition("shell commands not registered", () -> context.getServiceReferences((String) null,
                "(osgi.command.function=key-delete)") != null && context.getServiceReferences((String) null,
                        "(&(osgi.command.scope=moryflow)(osgi.command.function=providers))") != null);
        Map<String, String> answers = Map.of("moryflow:key-delete nosuch", "No key is stored for provider nosuch.",
                "moryflow:providers", "", "moryflow:keys", "",
                "moryflow:help moryflow:key-set", "moryflow:key-set - ");
        for (Map.Entry<String, String> a : answers.entrySet()) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            java.io.PrintStream ps = new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8);
            Object result;
            try (org.apache.felix.service.command.CommandSession session = processor.createSession(
                    new java.io.ByteArrayInputStream(new byte[0]), ps, ps)) {
                result = session.execute(a.getKey());
            }
            String printed = out.toString(java.nio.charset.StandardCharsets.UTF_8);
            assertNull(a.getKey() + " returned " + result + " (Felix's shell would print it a second time)", result);
            assertFalse(a.getKey() + " printed nothing", printed.isBlank());
            assertTrue(a.getKey() + " printed: " + printed, printed.contains(a.getValue()));
        }
        String once = run("moryflow:key-delete nosuch");
        assertEquals(once, once.indexOf("No key is stored"), once.lastIndexOf("No key is stored"));
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

    @Test
    public void providerAndModelCommandsDoWhatTheConsoleDoesAndAnswerLinesAScriptCanTest() throws Exception {
        String key = "sk-shell-PROVIDER-ADD-4444";
        try (FakeUpstream upstream = new FakeUpstream()) {
            awaitCondition("provider commands not registered", () -> context.getServiceReferences((String) null,
                    "(osgi.command.function=provider-add)") != null);
            String bad = run("moryflow:provider-add scripted " + upstream.baseUrl().replace("http://", "")
                    + " dialect=azure timeoutSeconds=-5");
            assertTrue(bad, bad.startsWith("error: baseUrl: baseUrl \"") && bad.contains("is not a valid URL")
                    && bad.contains("\nerror: apiVersion: apiVersion is missing, and Azure OpenAI needs it")
                    && bad.contains("\nerror: timeoutSeconds: timeoutSeconds is -5, which is negative"));
            assertNull("nothing was written", configAdmin.listConfigurations(
                    "(service.pid=" + OPENAI_FACTORY + "~scripted)"));

            String added = run("moryflow:provider-add scripted " + upstream.baseUrl() + " \"name=Scripted AI\" "
                    + "models=s-model \"header=X-Team: research\" timeoutSeconds=30");
            assertTrue(added, added.startsWith("Added provider scripted: configuration " + OPENAI_FACTORY
                    + "~scripted."));
            awaitProvider("scripted");
            Dictionary<String, Object> p = configAdmin.getFactoryConfiguration(OPENAI_FACTORY, "scripted", "?")
                    .getProperties();
            assertEquals("Scripted AI", p.get("name"));
            assertArrayEquals(new String[] { "X-Team: research" }, (String[]) p.get("headers"));
            assertEquals(30, p.get("timeoutSeconds"));
            String again = run("moryflow:provider-add scripted " + upstream.baseUrl());
            assertTrue(again, again.startsWith("error: id: a provider with the id scripted exists already"));

            String tags = run("moryflow:model-add scripted vision-model \"displayName=Vision Model\" "
                    + "contextWindow=32000 capabilities=chat,vision");
            assertTrue(tags, tags.startsWith("Added model scripted/vision-model: configuration moryflow.model."));
            awaitCondition("the model entry is not routed", () -> chatService().models().stream().anyMatch(m ->
                    m.qualifiedName().equals("scripted/vision-model") && m.model().contextWindow() == 32000
                            && m.model().capabilities().contains(dev.moryflow.provider.Capability.VISION)));
            String unknownTag = run("moryflow:model-add scripted m2 capabilities=smell");
            assertTrue(unknownTag, unknownTag.startsWith("error: capabilities: capabilities: \"smell\" is not a "
                    + "known capability tag: use chat, vision"));
            String noProvider = run("moryflow:model-add nobody m3");
            assertTrue(noProvider, noProvider.startsWith("error: provider: there is no provider nobody"));

            String removedModel = run("moryflow:model-remove scripted s-model");
            assertTrue(removedModel, removedModel.startsWith("Removed model scripted/s-model: its place in the "
                    + "model list of provider scripted."));
            String nothing = run("moryflow:model-remove scripted s-model");
            assertTrue(nothing, nothing.startsWith("error: provider scripted has neither a model entry nor"));

            run("moryflow:key-set scripted", key + "\n");
            awaitKeyStored("scripted");
            String removed = run("moryflow:provider-remove scripted");
            assertTrue(removed, removed.startsWith("Removed provider scripted: its configuration " + OPENAI_FACTORY
                    + "~scripted, its key, its model entries vision-model."));
            awaitNoProvider("scripted");
            assertNull(configAdmin.listConfigurations("(service.factoryPid=moryflow.model)"));
            CredentialStore store = context.getService(awaitService(CredentialStore.class, ""));
            awaitCondition("the key went with the provider", () -> store.metadata("scripted").isEmpty());
            String gone = run("moryflow:provider-remove scripted");
            assertTrue(gone, gone.startsWith("error: there is no provider configuration scripted"));
            for (String out : new String[] { bad, added, tags, removed }) {
                assertFalse(out.contains(key));
            }
        }
    }

    @Test
    public void helpShowsTheUsageOfEveryProviderAndModelCommand() throws Exception {
        awaitCondition("shell commands not registered", () -> context.getServiceReferences((String) null,
                "(osgi.command.function=model-remove)") != null && context.getServiceReferences((String) null,
                        "(&(osgi.command.scope=moryflow)(osgi.command.function=help))") != null);
        Map<String, String> usages = Map.of("provider-add", "<id> <baseUrl> [name=<name>]", "provider-remove", "<id>",
                "model-add", "<provider> <model> [displayName=<name>]", "model-remove", "<provider> <model>");
        for (Map.Entry<String, String> u : usages.entrySet()) {
            String help = run("moryflow:help moryflow:" + u.getKey());
            assertTrue(help, help.startsWith("moryflow:" + u.getKey() + " - ")
                    && help.contains("usage: moryflow:" + u.getKey() + " " + u.getValue()));
        }
        String usage = run("moryflow:provider-remove");
        assertTrue(usage, usage.startsWith("usage: moryflow:provider-remove <id>"));
    }
}
