package dev.moryflow.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;

import java.util.Arrays;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;

import javax.inject.Inject;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.service.cm.Configuration;

import dev.moryflow.chat.ModelListService;
import dev.moryflow.chat.RemoteModels;
import dev.moryflow.chat.RoutedModel;
import dev.moryflow.provider.Capability;
import dev.moryflow.provider.ChatMessage;
import dev.moryflow.provider.ChatRequest;
import dev.moryflow.provider.ContentPart;
import dev.moryflow.provider.KeyState;
import dev.moryflow.provider.Preset;
import dev.moryflow.provider.PresetCatalog;
import dev.moryflow.provider.Problem;
import dev.moryflow.provider.ProviderException;
import dev.moryflow.provider.ProviderService;

/**
 * The presets bundle in a real hub: every catalog preset becomes a provider configuration once, user changes and
 * deletions stick, model metadata comes from the catalog and from {@code moryflow.model} configurations, and the chat
 * refuses what a model cannot take before sending anything.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PresetsIT extends HubTestSupport {

    /** Set for the test JVM by failsafe (itests/pom.xml), as a user exports it before starting the hub. */
    private static final String GROQ_ENV_KEY = "gsk-itest-groq-key-from-the-environment";

    @Inject
    private CommandProcessor processor;

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return hub(newWorkDir("presets"), reactorBundle("presets"),
                mavenBundle("org.apache.felix", "org.apache.felix.gogo.runtime").versionAsInProject(),
                reactorBundle("shell"));
    }

    private PresetCatalog catalog() throws Exception {
        return context.getService(awaitService(PresetCatalog.class, ""));
    }

    private Configuration presetConfiguration(String id) throws Exception {
        Configuration[] found = configAdmin.listConfigurations("(&(service.factoryPid=" + OPENAI_FACTORY
                + ")(preset=" + id + "))");
        return found == null ? null : found[0];
    }

    private void awaitEveryPreset() throws Exception {
        int expected = catalog().presets().size();
        awaitCondition("not every preset became a configuration", () -> {
            Configuration[] all = configAdmin.listConfigurations("(&(service.factoryPid=" + OPENAI_FACTORY
                    + ")(preset=*))");
            return all != null && all.length >= expected - 1;
        });
    }

    private String run(String command) throws Exception {
        return Gogo.run(processor, command, "");
    }

    @Test
    public void aFreshHubRegistersEveryPresetWithItsStatus() throws Exception {
        awaitEveryPreset();
        List<Preset> presets = catalog().presets();
        assertTrue(presets.size() >= 15);
        for (Preset p : presets) {
            if (p.id().equals("together")) {
                continue; // another test of this class deletes it
            }
            Configuration c = presetConfiguration(p.id());
            assertNotNull("configuration of preset " + p.id(), c);
            assertEquals(OPENAI_FACTORY + "~" + p.id(), c.getPid());
            if (!p.template()) {
                awaitProvider(p.id());
            }
        }
        assertNull("the Azure template waits for its resource and deployment",
                providerRefs("(provider.id=azure)"));

        ProviderService groq = context.getService(awaitProvider("groq"));
        assertEquals("a key exported before start makes the preset ready", KeyState.PRESENT,
                groq.info().keyState());
        assertEquals("groq", groq.info().preset());
        ProviderService lmstudio = context.getService(awaitProvider("lmstudio"));
        assertEquals(KeyState.NOT_REQUIRED, lmstudio.info().keyState());
        assertEquals("http://localhost:1234/v1", lmstudio.info().baseUrl());

        awaitCondition("preset commands not registered", () -> context.getServiceReferences((String) null,
                "(osgi.command.function=presets)") != null);
        String out = run("moryflow:presets");
        assertTrue(out, out.lines().allMatch(l -> l.length() <= 100));
        assertTrue(out, row(out, "groq").contains("ready"));
        assertTrue(out, row(out, "lmstudio").contains("ready (no key needed)"));
        assertTrue(out, row(out, "azure").contains("needs setup"));
        if (System.getenv("MISTRAL_API_KEY") == null) {
            assertTrue(out, row(out, "mistral")
                    .contains("needs key: export MISTRAL_API_KEY before start, or moryflow:key-set mistral"));
        }
        assertFalse("no key in the listing", out.contains(GROQ_ENV_KEY));
    }

    /** A row of a listing: its first line and the continuation lines its wrapped status takes, spaces folded. */
    private static String row(String table, String id) {
        StringBuilder row = new StringBuilder();
        boolean in = false;
        for (String line : table.split("\n")) {
            if (line.startsWith(id + " ")) {
                in = true;
            } else if (in && !line.startsWith(" ")) {
                break;
            }
            if (in) {
                row.append(' ').append(line);
            }
        }
        return row.toString().replaceAll("\\s+", " ");
    }

    @Test
    public void aPresetWithoutAKeyIsRoutableButRefusedBeforeSending() throws Exception {
        org.junit.Assume.assumeTrue(System.getenv("DEEPSEEK_API_KEY") == null);
        awaitProvider("deepseek");
        ProviderService deepseek = context.getService(awaitProvider("deepseek"));
        assertEquals(KeyState.MISSING, deepseek.info().keyState());
        try {
            chatService().chat(ChatRequest.of("deepseek/deepseek-chat", "hi"));
            fail("a chat without a key was sent");
        } catch (ProviderException e) {
            assertEquals(Problem.NOT_READY, e.problem());
            assertTrue(e.getMessage() + " / " + e.hint(), (e.getMessage() + e.hint()).contains("DEEPSEEK_API_KEY"));
        }
    }

    @Test
    public void userChangesAreNeverOverwrittenAndDeletedPresetsStayDeleted() throws Exception {
        awaitEveryPreset();
        try (FakeUpstream upstream = new FakeUpstream()) {
            // the user points the groq preset elsewhere and trims its models
            Configuration groq = presetConfiguration("groq");
            Dictionary<String, Object> p = groq.getProperties();
            p.put("baseUrl", upstream.baseUrl());
            p.put("models", new String[] { "llama-3.3-70b-versatile" });
            groq.update(p);
            awaitCondition("groq not updated", () -> upstream.baseUrl().equals(
                    context.getService(awaitProvider("groq")).info().baseUrl()));
            // and deletes two presets; then asks for one of them back
            presetConfiguration("together").delete();
            presetConfiguration("cerebras").delete();
            awaitNoProvider("together");
            awaitNoProvider("cerebras");
            // while the hub is "stopped" (the presets bundle), the user asks for cerebras back
            Bundle presets = installedBundle("dev.moryflow.presets");
            presets.stop();
            Configuration own = configAdmin.getConfiguration("moryflow.presets", "?");
            Dictionary<String, Object> state = own.getProperties();
            List<String> made = Arrays.asList((String[]) state.get("created"));
            assertTrue(made.toString(), made.contains("together") && made.contains("cerebras"));
            state.put("created", made.stream().filter(id -> !id.equals("cerebras")).toArray(String[]::new));
            own.update(state);
            // the next start: cerebras is made again (so the presets ran), together is not
            presets.start();
            awaitProvider("cerebras");

            assertNull("a deleted preset came back", presetConfiguration("together"));
            Dictionary<String, Object> after = presetConfiguration("groq").getProperties();
            assertEquals(upstream.baseUrl(), after.get("baseUrl"));
            assertArrayEquals(new String[] { "llama-3.3-70b-versatile" }, (String[]) after.get("models"));

            // the key from the environment is what reaches the service
            ChatRequest hi = ChatRequest.of("groq/llama-3.3-70b-versatile", "hi");
            assertEquals("Hello from llama-3.3-70b-versatile", chatService().chat(hi).content());
            assertEquals("Bearer " + GROQ_ENV_KEY, upstream.take().header("authorization"));
        }
    }

    @Test
    public void aUserProviderListingAPresetModelWinsTheBareIdAndThePresetKeepsItsQualifiedId() throws Exception {
        awaitProvider("openai");
        Configuration preset = presetConfiguration("openai");
        Dictionary<String, Object> original = preset.getProperties();
        try (FakeUpstream presetUpstream = new FakeUpstream(); FakeUpstream userUpstream = new FakeUpstream()) {
            // the preset answers at a fake of its own (on 127.0.0.1: a local server, so no key is needed)
            Dictionary<String, Object> moved = preset.getProperties();
            moved.put("baseUrl", presetUpstream.baseUrl());
            preset.update(moved);
            awaitCondition("the openai preset did not move to its fake upstream", () -> presetUpstream.baseUrl()
                    .equals(context.getService(awaitProvider("openai")).info().baseUrl()));
            Configuration mine = provider("mine", "name", "Mine", "baseUrl", userUpstream.baseUrl(), "models",
                    new String[] { "gpt-4o" });
            try {
                awaitProvider("mine");
                assertTrue("the preset does not list gpt-4o", Arrays.asList((String[]) awaitProvider("openai")
                        .getProperty(ProviderService.PROVIDER_MODELS)).contains("gpt-4o"));

                dev.moryflow.provider.ChatResponse bare = chatService().chat(ChatRequest.of("gpt-4o", "bare"));
                assertEquals("the bare id went to " + bare.providerId(), "mine", bare.providerId());
                FakeUpstream.Received atUser = userUpstream.take();
                assertTrue(atUser.body, atUser.body.contains("\"model\":\"gpt-4o\"")
                        && atUser.body.contains("bare"));
                assertTrue("the preset received the bare id's chat: " + presetUpstream.all(),
                        presetUpstream.all().isEmpty());

                dev.moryflow.provider.ChatResponse qualified = chatService().chat(
                        ChatRequest.of("openai/gpt-4o", "qualified"));
                assertEquals("openai", qualified.providerId());
                FakeUpstream.Received atPreset = presetUpstream.take();
                assertTrue(atPreset.body, atPreset.body.contains("\"model\":\"gpt-4o\"")
                        && atPreset.body.contains("qualified"));
                assertEquals("the user's upstream received the qualified chat too: " + userUpstream.all(), 1,
                        userUpstream.all().size());
                // why: presets rank -1, a user's provider 0 unless the user says otherwise
                assertEquals("presets rank below the user's providers", -1,
                        awaitProvider("openai").getProperty(org.osgi.framework.Constants.SERVICE_RANKING));
                Object userRanking = awaitProvider("mine").getProperty(org.osgi.framework.Constants.SERVICE_RANKING);
                assertTrue("the user's provider ranks " + userRanking, userRanking == null
                        || ((Integer) userRanking) > -1);
            } finally {
                mine.delete();
                awaitNoProvider("mine");
                preset.update(original);
                awaitCondition("the openai preset did not move back", () -> !presetUpstream.baseUrl()
                        .equals(context.getService(awaitProvider("openai")).info().baseUrl()));
            }
        }
    }

    @Test
    public void modelMetadataFromConfigurationOverridesTheCatalog() throws Exception {
        awaitProvider("openai");
        RoutedModel fromCatalog = routed("openai/gpt-4o");
        assertEquals("GPT-4o", fromCatalog.model().displayName());
        assertEquals(128000, fromCatalog.model().contextWindow());
        assertTrue(fromCatalog.model().has(Capability.VISION));

        Configuration c = configAdmin.getFactoryConfiguration("moryflow.model", "openai-gpt-4o", "?");
        c.update(props("provider", "openai", "id", "gpt-4o", "displayName", "GPT-4o (team limit)",
                "contextWindow", "32000", "capabilities", new String[] { "chat", "tools" }));
        Configuration extra = configAdmin.getFactoryConfiguration("moryflow.model", "openai-custom", "?");
        extra.update(props("provider", "openai", "id", "ft:gpt-4o:acme", "displayName", "ACME fine-tune",
                "contextWindow", 64000));
        try {
            awaitCondition("the configuration did not reach routing",
                    () -> routed("openai/gpt-4o").model().contextWindow() == 32000);
            RoutedModel overridden = routed("openai/gpt-4o");
            assertEquals("GPT-4o (team limit)", overridden.model().displayName());
            assertFalse(overridden.model().has(Capability.VISION));
            assertEquals("max output still from the catalog", 16384, overridden.model().maxOutputTokens());
            awaitCondition("a configured model was not added", () -> routedOrNull("openai/ft:gpt-4o:acme") != null);
            assertEquals("ACME fine-tune", routed("openai/ft:gpt-4o:acme").model().displayName());
        } finally {
            c.delete();
            extra.delete();
        }
        awaitCondition("deleting the configuration did not restore the catalog's metadata",
                () -> routed("openai/gpt-4o").model().contextWindow() == 128000);
    }

    private RoutedModel routedOrNull(String qualified) throws Exception {
        return chatService().models().stream().filter(m -> m.qualifiedName().equals(qualified)).findFirst()
                .orElse(null);
    }

    private RoutedModel routed(String qualified) throws Exception {
        RoutedModel m = routedOrNull(qualified);
        if (m == null) {
            throw new AssertionError("not routable: " + qualified);
        }
        return m;
    }

    @Test
    public void theChatRefusesWhatTheModelCannotTakeBeforeSendingAnything() throws Exception {
        try (FakeUpstream upstream = new FakeUpstream()) {
            provider("small", "name", "Small Local", "baseUrl", upstream.baseUrl(), "models",
                    new String[] { "small-model" });
            Configuration meta = configAdmin.getFactoryConfiguration("moryflow.model", "small-small-model", "?");
            meta.update(props("provider", "small", "id", "small-model", "contextWindow", "100",
                    "capabilities", "chat"));
            try {
                awaitProvider("small");
                awaitCondition("metadata not applied", () -> routedOrNull("small/small-model") != null
                        && routed("small/small-model").model().contextWindow() == 100);

                ProviderException tooLong = refused(ChatRequest.of("small/small-model", "word ".repeat(200)));
                assertEquals(Problem.CONTEXT_TOO_LONG, tooLong.problem());
                assertTrue(tooLong.getMessage(), tooLong.getMessage().contains("about 254 tokens of prompt")
                        && tooLong.getMessage().contains("(100 tokens)"));

                ChatMessage image = new ChatMessage("user", null, List.of(ContentPart.text("what is it?"),
                        ContentPart.image("https://example.com/cat.png")), null, null, Map.of());
                ProviderException noVision = refused(ChatRequest.builder("small/small-model").message(image).build());
                assertEquals(Problem.BAD_REQUEST, noVision.problem());
                assertTrue(noVision.getMessage(), noVision.getMessage().contains("cannot read images"));

                ProviderException noTools = refused(ChatRequest.builder("small/small-model")
                        .message(ChatMessage.user("weather?"))
                        .extra("tools", List.of(Map.of("type", "function", "function", Map.of("name", "w"))))
                        .build());
                assertTrue(noTools.getMessage(), noTools.getMessage().contains("cannot call tools"));

                List<String> streamed = new java.util.concurrent.CopyOnWriteArrayList<>();
                java.util.concurrent.CompletableFuture<ProviderException> streamError =
                        new java.util.concurrent.CompletableFuture<>();
                chatService().stream(ChatRequest.of("small/small-model", "word ".repeat(200)),
                        new dev.moryflow.provider.ChatStreamListener() {
                            @Override
                            public void onChunk(dev.moryflow.provider.ChatChunk chunk) {
                                streamed.add(String.valueOf(chunk));
                            }

                            @Override
                            public void onComplete(dev.moryflow.provider.ChatResponse response) {
                                streamError.complete(null);
                            }

                            @Override
                            public void onError(ProviderException error) {
                                streamError.complete(error);
                            }
                        });
                assertEquals(Problem.CONTEXT_TOO_LONG, streamError.get(5, java.util.concurrent.TimeUnit.SECONDS)
                        .problem());
                assertTrue(streamed.isEmpty());
                assertTrue("a refused request reached the upstream: " + upstream.all(), upstream.all().isEmpty());

                assertEquals("Hello from small-model",
                        chatService().chat(ChatRequest.of("small/small-model", "hi")).content());
                assertEquals(1, upstream.all().size());
            } finally {
                meta.delete();
                configAdmin.getFactoryConfiguration(OPENAI_FACTORY, "small", "?").delete();
            }
        }
    }

    private ProviderException refused(ChatRequest r) throws Exception {
        try {
            chatService().chat(r);
        } catch (ProviderException e) {
            return e;
        }
        throw new AssertionError("admitted " + r);
    }

    @Test
    public void remoteModelsShowWhatTheListLacksAndAddModelsExtendsTheConfiguration() throws Exception {
        try (FakeUpstream upstream = new FakeUpstream()) {
            Configuration c = provider("remote", "name", "Remote", "baseUrl", upstream.baseUrl(), "models",
                    "remote-a, old-model");
            try {
                awaitProvider("remote");
                ModelListService lists = context.getService(awaitService(ModelListService.class, ""));
                RemoteModels r = lists.remoteModels("remote");
                assertEquals(List.of("remote-b"), r.missing());
                assertEquals(List.of("old-model"), r.gone());

                awaitCondition("model list commands not registered", () -> context.getServiceReferences(
                        (String) null, "(osgi.command.function=add-models)") != null);
                String listed = run("moryflow:remote-models remote");
                assertTrue(listed, listed.contains("remote-b") && listed.contains("1 not in the list")
                        && listed.contains("old-model"));
                String added = run("moryflow:add-models remote remote-b");
                assertTrue(added, added.contains("Added to provider remote: remote-b"));
                awaitCondition("the added model is not routable", () -> routedOrNull("remote/remote-b") != null);
                assertEquals("a comma list stays a comma list", "remote-a, old-model, remote-b",
                        configAdmin.getConfiguration(c.getPid(), "?").getProperties().get("models"));
                assertTrue(lists.remoteModels("remote").missing().isEmpty());
                String unknown = run("moryflow:remote-models remot");
                assertTrue(unknown, unknown.contains("there is no provider 'remot'") && unknown.contains("remote"));
            } finally {
                c.delete();
            }
        }
    }
}
