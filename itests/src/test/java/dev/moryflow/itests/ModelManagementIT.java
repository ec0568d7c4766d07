package dev.moryflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Dictionary;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.Configuration;

import dev.moryflow.credentials.CredentialMetadata;
import dev.moryflow.credentials.CredentialStore;
import dev.moryflow.provider.ChatRequest;

/**
 * The Model Management plugin over plain HTTP, as a form post from the page makes it: a state-changing POST without
 * the page's form token (or with a wrong one) answers 403 and changes nothing, even from the console's own origin;
 * Delete key removes the stored key; Confirm move lets a held key follow its provider to its new address; Add Model
 * writes one {@code moryflow.model} configuration and nothing else, and a wrong field is named beside it. Every
 * answer is scanned for the keys.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ModelManagementIT extends HubTestSupport {

    private static final String PLUGIN = "/system/console/moryflow";
    private static final Pattern TOKEN = Pattern.compile("name='token' value='([^']+)'");

    /** The Web Console password made for this framework (one framework for the class). */
    private static volatile String consolePassword;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<String> keys = new ArrayList<>();
    private final List<String> seen = new ArrayList<>();
    private FakeUpstream upstream;

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return hub(newWorkDir("model-management"), gateway(freePort()), webConsole());
    }

    @Before
    public void setUp() throws Exception {
        upstream = new FakeUpstream();
        if (consolePassword == null) {
            consolePassword = printedConsolePassword();
        }
        awaitCondition("the plugin is not served", () -> get().statusCode() == 200);
    }

    @After
    public void tearDown() throws Exception {
        try {
            for (String key : keys) {
                for (String answer : seen) {
                    assertFalse("a key is in an answer: " + answer, answer.contains(key));
                }
            }
        } finally {
            Configuration[] entries = configAdmin.listConfigurations("(service.factoryPid=moryflow.model)");
            for (Configuration c : entries == null ? new Configuration[0] : entries) {
                c.delete();
            }
            deleteProviders();
            upstream.close();
        }
    }

    @Test
    public void aStateChangingPostWithoutTheFormTokenIsRefusedWith403AndChangesNothing() throws Exception {
        String key = key();
        provider("guarded", "name", "Guarded", "baseUrl", upstream.baseUrl(), "apiKey", key, "models",
                new String[] { "g-model" });
        awaitProvider("guarded");
        CredentialMetadata before = awaitKeyStored("guarded");

        for (String token : new String[] { null, "", "forged-" + UUID.randomUUID() }) {
            HttpResponse<String> deleted = post(token, "action", "delete-key", "id", "guarded");
            assertEquals(deleted.body(), 403, deleted.statusCode());
            assertTrue(deleted.body(), deleted.body().startsWith("refused: this form has no valid token"));
            HttpResponse<String> added = post(token, "action", "add-provider", "name", "Sneaky", "id", "sneaky",
                    "baseUrl", upstream.baseUrl());
            assertEquals(403, added.statusCode());
            HttpResponse<String> removed = post(token, "action", "remove", "id", "guarded");
            assertEquals(403, removed.statusCode());
        }
        assertEquals(before.fingerprint(), store().metadata("guarded").orElseThrow().fingerprint());
        assertNull(configAdmin.listConfigurations("(service.pid=" + OPENAI_FACTORY + "~sneaky)"));
        assertNotNull(configAdmin.listConfigurations("(service.pid=" + OPENAI_FACTORY + "~guarded)"));
    }

    @Test
    public void deleteKeyRemovesTheStoredKeyAndTheProviderThenNeedsOne() throws Exception {
        String key = key();
        provider("dropping", "name", "Dropping", "baseUrl", "https://api.dropping.example/v1", "apiKey", key,
                "models", new String[] { "d-model" });
        awaitProvider("dropping");
        CredentialMetadata m = awaitKeyStored("dropping");
        String page = get().body();
        assertTrue(row(page, "dropping"), row(page, "dropping").contains("fingerprint " + m.fingerprint()));
        assertTrue(row(page, "dropping").contains("class='mf-action delete-key'"));

        HttpResponse<String> deleted = post(token(page), "action", "delete-key", "id", "dropping");
        assertEquals(200, deleted.statusCode());
        assertTrue(deleted.body(), deleted.body().contains("Deleted the key of provider dropping (fingerprint "
                + m.fingerprint() + ")."));
        assertTrue(store().metadata("dropping").isEmpty());
        awaitCondition("the row does not say the provider needs a key", () -> row(get().body(), "dropping")
                .contains("needs key: set it here"));
        HttpResponse<String> again = post(token(page), "action", "delete-key", "id", "dropping");
        assertTrue(again.body(), again.body().contains("No key is stored for provider dropping."));
    }

    @Test
    public void confirmMoveLetsAHeldKeyFollowItsProviderToItsNewAddress() throws Exception {
        String key = key();
        try (FakeUpstream after = new FakeUpstream(java.net.InetAddress.getByName("127.0.0.2"))) {
            provider("moving", "name", "Moving", "baseUrl", upstream.baseUrl(), "apiKey", key, "models",
                    new String[] { "mv-model" });
            awaitProvider("moving");
            awaitKeyStored("moving");
            provider("moving", "name", "Moving", "baseUrl", after.baseUrl(), "models", new String[] { "mv-model" });
            awaitCondition("the key is not held", () -> store().metadata("moving").map(CredentialMetadata::held)
                    .orElse(false));
            try {
                awaitCondition("the row offers no Confirm move", () -> row(get().body(), "moving")
                        .contains("class='mf-action confirm-move'"));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; the row: " + row(get().body(), "moving")
                        + "; the provider: " + context.getService(awaitProvider("moving")).info());
            }

            HttpResponse<String> confirmed = post(token(get().body()), "action", "confirm-move", "id", "moving");
            assertTrue(confirmed.body(), confirmed.body().contains("The key of provider moving now goes to "
                    + after.origin()));
            CredentialMetadata m = store().metadata("moving").orElseThrow();
            assertFalse(m.held());
            assertEquals(after.origin(), m.origin());
            awaitCondition("the provider still holds its key", () -> {
                try {
                    chatService().chat(ChatRequest.of("moving/mv-model", "hi"));
                    return true;
                } catch (dev.moryflow.provider.ProviderException notYet) {
                    return false;
                }
            });
            assertEquals("Bearer " + key, after.take().header("authorization"));
            assertTrue("the old address got nothing after the move: " + upstream.all(), upstream.all().stream()
                    .noneMatch(r -> r.path.endsWith("/chat/completions")));
        }
    }

    @Test
    public void addModelWritesOnlyAModelEntryAndNamesAWrongFieldBesideIt() throws Exception {
        provider("described", "name", "Described", "baseUrl", upstream.baseUrl(), "models",
                new String[] { "known" });
        awaitProvider("described");
        Map<String, Long> before = everyConfiguration();

        HttpResponse<String> wrong = post(token(get().body()), "action", "add-model", "provider", "described", "id",
                "tagged", "contextWindow", "a lot", "capabilities", "vision");
        assertTrue(wrong.body(), wrong.body().contains("id='model-error-contextWindow'>contextWindow = &quot;a lot"
                + "&quot; is not a number of tokens: write a whole number such as contextWindow = 128000, or 0 "
                + "when unknown</span>"));
        assertTrue("the form keeps what was typed", wrong.body().contains(
                "<input id='model-id' name='id' type='text' size='50' value='tagged'/>"));
        assertTrue(wrong.body().contains("id='cap-vision' checked='checked'"));
        assertEquals(before.keySet(), everyConfiguration().keySet());

        HttpResponse<String> added = post(token(get().body()), "action", "add-model", "provider", "described", "id",
                "tagged", "displayName", "Tagged Model", "contextWindow", "64000", "capabilities", "chat",
                "capabilities", "tools");
        assertTrue(added.body(), added.body().contains("Added model described/tagged, configuration moryflow.model."));
        assertTrue(added.body(), added.body().contains("capabilities chat, tools."));
        Map<String, Long> now = everyConfiguration();
        List<String> made = now.keySet().stream().filter(pid -> !before.containsKey(pid)).toList();
        assertEquals(made.toString(), 1, made.size());
        assertTrue(made.get(0), made.get(0).startsWith("moryflow.model."));
        Dictionary<String, Object> p = configAdmin.getConfiguration(made.get(0), null).getProperties();
        assertEquals("described", p.get("provider"));
        assertEquals(64000, p.get("contextWindow"));
        assertEquals(List.of("chat", "tools"), List.of((String[]) p.get("capabilities")));
        for (String pid : before.keySet()) {
            assertEquals(pid + " was changed", before.get(pid), now.get(pid));
        }
        awaitCondition("the model is not routed with its tags", () -> chatService().models().stream().anyMatch(
                m -> m.qualifiedName().equals("described/tagged") && m.model().contextWindow() == 64000));
        HttpResponse<String> twice = post(token(get().body()), "action", "add-model", "provider", "described", "id",
                "tagged");
        assertTrue(twice.body(), twice.body().contains("its entry exists already"));
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** @return the change count of every configuration but the Web Console's own, by PID */
    private Map<String, Long> everyConfiguration() throws Exception {
        Map<String, Long> all = new LinkedHashMap<>();
        Configuration[] c = configAdmin.listConfigurations(null);
        for (Configuration x : c == null ? new Configuration[0] : c) {
            if (!x.getPid().startsWith("org.apache.felix.webconsole")) {
                all.put(x.getPid(), x.getChangeCount());
            }
        }
        return all;
    }

    private String key() {
        String k = "sk-" + UUID.randomUUID().toString().replace("-", "");
        keys.add(k);
        return k;
    }

    private CredentialStore store() throws Exception {
        return context.getService(awaitService(CredentialStore.class, ""));
    }

    /** @return the table row of a provider in the page */
    private static String row(String page, String id) {
        int start = page.indexOf("<tr id='provider-" + id + "'");
        return start < 0 ? "" : page.substring(start, page.indexOf("</tr>", start));
    }

    private static String token(String page) {
        Matcher m = TOKEN.matcher(page);
        assertTrue("no form token in the page", m.find());
        return m.group(1);
    }

    private HttpResponse<String> get() throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base() + PLUGIN)).GET());
    }

    /** A form post from the console's own origin, with the token when one is given. */
    private HttpResponse<String> post(String token, String... fields) throws Exception {
        List<String> pairs = new ArrayList<>();
        for (int i = 0; i < fields.length; i += 2) {
            pairs.add(enc(fields[i]) + "=" + enc(fields[i + 1]));
        }
        if (token != null) {
            pairs.add("token=" + enc(token));
        }
        return send(HttpRequest.newBuilder(URI.create(base() + PLUGIN)).header("Origin", base())
                .header("Referer", base() + PLUGIN).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(pairs.stream().collect(Collectors.joining("&")))));
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        HttpResponse<String> r = http.send(b.timeout(Duration.ofSeconds(20)).header("Authorization", "Basic "
                + Base64.getEncoder().encodeToString(("admin:" + consolePassword).getBytes(StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofString());
        seen.add(r.uri() + " -> " + r.statusCode() + " " + r.headers().map() + "\n" + r.body());
        return r;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private String base() {
        return "http://127.0.0.1:" + context.getProperty("org.osgi.service.http.port");
    }
}
