package dev.moryflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Dictionary;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.Configuration;
import org.osgi.service.event.Event;

import dev.moryflow.credentials.CredentialStore;
import dev.moryflow.events.Topics;

/**
 * "A key belongs to one provider id and one origin, and only the user moves it", tried through the real surfaces: the
 * deploy folder (FileInstall), the configuration the Web Console's "+" makes (a generated PID from Config Admin's
 * {@code createFactoryConfiguration}, exactly as the console's form post does), and the management API. Two fake
 * upstreams on two ports are two origins; each test proves which key each of them received.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class KeyOwnershipIT extends HubTestSupport {

    private static final String TOKEN = "mf-itest-ownership-token-0123456789";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private FakeUpstream a;
    private FakeUpstream b;

    @org.ops4j.pax.exam.Configuration
    public Option[] config() throws Exception {
        int port = freePort();
        String work = newWorkDir("ownership");
        Path deploy = Path.of(work, "deploy");
        Files.createDirectories(deploy);
        return hub(work,
                deployFolder(deploy),
                gateway(port));
    }

    @Before
    public void setUp() throws Exception {
        a = new FakeUpstream();
        b = new FakeUpstream();
        gatewayToken(TOKEN);
        awaitCondition("the API is not served", () -> send("GET", "/api/providers", null).statusCode() == 200);
    }

    @After
    public void tearDown() throws Exception {
        try (Stream<Path> files = Files.list(deploy())) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.delete(f);
            }
        }
        Configuration[] all = configAdmin.listConfigurations("(|(service.pid=moryflow.provider.*)"
                + "(service.factoryPid=moryflow.model))");
        for (Configuration c : all == null ? new Configuration[0] : all) {
            c.delete();
        }
        awaitCondition("providers are still registered", () -> providerRefs(null) == null);
        a.close();
        b.close();
    }

    private CredentialStore store() throws Exception {
        return context.getService(awaitService(CredentialStore.class, ""));
    }

    private Path deploy() {
        return Path.of(context.getProperty("felix.fileinstall.dir"));
    }

    private static String key(String what) {
        return "sk-" + what + "-" + UUID.randomUUID().toString().replace("-", "");
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + context.getProperty("org.osgi.service.http.port") + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> chat(String model) throws Exception {
        return send("POST", "/v1/chat/completions", "{\"model\":\"" + model
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    }

    /** The configuration the Web Console's "+" button makes: a generated PID, updated with the form's fields. */
    private Configuration consolePlus(Object... keyValues) throws Exception {
        Configuration c = configAdmin.createFactoryConfiguration(OPENAI_FACTORY, "?");
        c.update(props(keyValues));
        return c;
    }

    private void write(String file, String... lines) throws Exception {
        Path tmp = deploy().resolve(file + ".tmp");
        Files.write(tmp, String.join("\n", lines).concat("\n").getBytes(StandardCharsets.UTF_8));
        Files.move(tmp, deploy().resolve(file));
    }

    @Test
    public void aRefusedDuplicateFromTheConsoleNeverOverwritesTheOwnersKey() throws Exception {
        String k1 = key("owner");
        String k2 = key("intruder");
        write("moryflow.provider.openai-dup.cfg", "name = dup", "baseUrl = " + a.baseUrl(), "apiKey = " + k1,
                "models = m");
        awaitProvider("dup");
        awaitKeyStored("dup");
        Configuration second = consolePlus("id", "dup", "name", "dup", "baseUrl", b.baseUrl(), "apiKey", k2,
                "models", new String[] { "m" });
        awaitCondition("the refused configuration still holds its key",
                () -> second.getProperties() != null && second.getProperties().get("apiKey") == null);

        HttpResponse<String> r = chat("dup/m");
        assertEquals(r.body(), 200, r.statusCode());
        assertEquals("Bearer " + k1, a.take().header("Authorization"));
        assertTrue("the refused configuration's upstream got something: " + b.all(), b.all().isEmpty());
        assertEquals("a second configuration of one id is never a provider", 1, providerRefs("(provider.id=dup)").length);
        String listed = send("GET", "/api/providers", null).body();
        assertTrue(listed, listed.contains(second.getPid())
                && listed.contains("refused: the provider id dup is already used by another provider"));
        assertFalse(listed, listed.contains(k2) || listed.contains(k1));
    }

    @Test
    public void aConsoleMadeProviderKeepsItsIdAndKeyWhenRenamed() throws Exception {
        String k = key("console");
        consolePlus("name", "Console Made", "baseUrl", a.baseUrl(), "apiKey", k, "models", new String[] { "m" });
        awaitProvider("console-made");
        Configuration named = configAdmin.getFactoryConfiguration(OPENAI_FACTORY, "console-made", "?");
        assertNull(named.getProperties().get("apiKey"));
        assertEquals(200, chat("console-made/m").statusCode());
        assertEquals("Bearer " + k, a.take().header("Authorization"));

        Dictionary<String, Object> p = named.getProperties();
        p.put("name", "Renamed Service");
        named.update(p);
        awaitCondition("the rename did not arrive", () -> "Renamed Service".equals(
                context.getService(awaitProvider("console-made")).info().name()));
        assertEquals("a rename keeps the id", 1, providerRefs("(provider.id=console-made)").length);
        assertNull(providerRefs("(provider.id=renamed-service)"));
        assertEquals(200, chat("console-made/m").statusCode());
        assertEquals("Bearer " + k, a.take().header("Authorization"));
    }

    @Test
    public void deletingAProviderDeletesItsKeyAndANewOneOfThatIdStartsWithout() throws Exception {
        String k = key("gone");
        try (EventRecorder events = new EventRecorder()) {
            provider("gone", "baseUrl", a.baseUrl(), "apiKey", k, "models", new String[] { "m" });
            configAdmin.getFactoryConfiguration("moryflow.model", "gone-m", "?").update(props("provider", "gone",
                    "id", "m", "displayName", "Gone M"));
            awaitKeyStored("gone");
            awaitProvider("gone");
            configAdmin.getFactoryConfiguration(OPENAI_FACTORY, "gone", "?").delete();
            events.await(Topics.CREDENTIAL_DELETED, "gone");
        }
        // as a user would: the provider has gone before one of that id is made again (Config Admin, deleting and
        // making one PID again in the same instant, was seen to hand the new one to nobody under load)
        awaitCondition("the deleted provider is still registered", () -> providerRefs("(provider.id=gone)") == null);
        assertFalse(store().metadata("gone").isPresent());
        awaitCondition("the model entry of the deleted provider is not reported as orphaned", () -> send("GET",
                "/api/models", null).body().contains("orphaned: provider gone is not there"));
        provider("gone", "baseUrl", b.baseUrl(), "models", new String[] { "m" });
        awaitProvider("gone");
        assertEquals(200, chat("gone/m").statusCode());
        assertNull("the old key reached the new provider's host", b.take().header("Authorization"));
        assertTrue(a.all().isEmpty());
    }

    @Test
    public void aKeyIsHeldWhenTheBaseUrlMovesToAnotherOriginUntilTheUserConfirms() throws Exception {
        String k = key("mover");
        provider("mover", "baseUrl", a.baseUrl(), "apiKey", k, "models", new String[] { "m" });
        awaitProvider("mover");
        awaitKeyStored("mover");
        provider("mover", "baseUrl", a.origin() + "/other/v1", "models", new String[] { "m" });
        awaitCondition(() -> "the path change did not arrive: " + java.util.Arrays.toString(configAdmin
                .listConfigurations("(service.pid=" + OPENAI_FACTORY + "~mover)")) + " " + context.getService(
                awaitProvider("mover")).info(), () -> String.valueOf(
                context.getService(awaitProvider("mover")).info().baseUrl()).contains("/other/"));
        assertEquals("a path change within the origin needs nothing", 200, chat("mover/m").statusCode());
        assertEquals("Bearer " + k, a.take().header("Authorization"));

        try (EventRecorder events = new EventRecorder()) {
            HttpResponse<String> moved = send("PUT", "/api/providers/mover", "{\"baseUrl\":\"" + b.baseUrl() + "\"}");
            assertEquals(moved.body(), 200, moved.statusCode());
            Event held = events.await(Topics.CREDENTIAL_HELD, "mover");
            assertEquals(a.origin(), held.getProperty("origin.from"));
            assertEquals(b.origin(), held.getProperty("origin.to"));
        }
        awaitCondition("the status does not say the key is held", () -> send("GET", "/api/providers/mover", null)
                .body().contains("key held: base URL moved from " + a.origin() + " to " + b.origin()));
        HttpResponse<String> refused = chat("mover/m");
        assertEquals(refused.body(), 503, refused.statusCode());
        assertTrue(refused.body(), refused.body().contains("held") && refused.body().contains("key-confirm"));
        assertTrue("the moved-to host got a request before the user confirmed: " + b.all(), b.all().isEmpty());

        HttpResponse<String> confirmed = send("POST", "/api/providers/mover/key/confirm", null);
        assertEquals(confirmed.body(), 200, confirmed.statusCode());
        assertFalse(confirmed.body().contains(k));
        assertEquals(200, chat("mover/m").statusCode());
        assertEquals("Bearer " + k, b.take().header("Authorization"));
        assertEquals(409, send("POST", "/api/providers/mover/key/confirm", null).statusCode());
    }

    @Test
    public void aKeyFromTheEnvironmentFollowsTheSameRuleAndIsHeldWhenTheBaseUrlMoves() throws Exception {
        String envKey = System.getenv("GROQ_API_KEY"); // set for the test JVM by failsafe (itests/pom.xml)
        assertTrue("GROQ_API_KEY is not set for the integration tests", envKey != null && !envKey.isBlank());
        provider("envmove", "baseUrl", a.baseUrl(), "apiKeyEnv", "GROQ_API_KEY", "models", new String[] { "m" });
        awaitProvider("envmove");
        assertEquals(200, chat("envmove/m").statusCode());
        assertEquals("Bearer " + envKey, a.take().header("Authorization"));
        try (EventRecorder events = new EventRecorder()) {
            assertEquals(200, send("PUT", "/api/providers/envmove", "{\"baseUrl\":\"" + b.baseUrl() + "\"}")
                    .statusCode());
            events.await(Topics.CREDENTIAL_HELD, "envmove");
        }
        awaitCondition("the status does not say the key is held", () -> send("GET", "/api/providers/envmove", null)
                .body().contains("key held: base URL moved from " + a.origin() + " to " + b.origin()));
        HttpResponse<String> refused = chat("envmove/m");
        assertEquals(refused.body(), 503, refused.statusCode());
        assertFalse(refused.body(), refused.body().contains(envKey));
        assertTrue("the environment's key reached the moved-to host: " + b.all(), b.all().isEmpty());
        assertEquals(200, send("POST", "/api/providers/envmove/key/confirm", null).statusCode());
        assertEquals(200, chat("envmove/m").statusCode());
        assertEquals("Bearer " + envKey, b.take().header("Authorization"));
    }

    @Test
    public void aHubSecretsNameIsNoProviderIdAndTheGatewayTokenCannotBeDeletedAsAKey() throws Exception {
        HttpResponse<String> made = send("POST", "/api/providers", "{\"id\":\"gateway.token\",\"baseUrl\":\""
                + a.baseUrl() + "\",\"models\":[\"m\"]}");
        assertEquals(made.body(), 400, made.statusCode());
        assertTrue(made.body(), made.body().contains("reserved"));
        assertEquals(400, send("POST", "/api/providers", "{\"id\":\"hub:gateway.token\",\"baseUrl\":\""
                + a.baseUrl() + "\"}").statusCode());
        assertEquals(404, send("DELETE", "/api/providers/gateway.token/key", null).statusCode());
        assertEquals("the gateway token still works", 200, send("GET", "/v1/models", null).statusCode());
        assertTrue(store().verify(CredentialStore.GATEWAY_TOKEN, TOKEN.toCharArray()));
    }

    @Test
    public void noClearKeyStaysInAnInvalidOrIdlessConfigurationNorInABaseUrl() throws Exception {
        String k1 = key("invalid");
        String k2 = key("idless");
        String k3 = key("userinfo");
        write("moryflow.provider.openai-my leak.cfg", "baseUrl = " + a.baseUrl(), "apiKey = " + k1);
        write("moryflow.provider.openai.cfg", "name = Idless", "baseUrl = " + a.baseUrl(), "apiKey = " + k2,
                "models = m");
        write("moryflow.provider.openai-creds.cfg", "baseUrl = http://user:" + k3 + "@127.0.0.1:"
                + a.origin().replaceAll(".*:", "") + "/v1", "models = m");
        awaitProvider("creds");
        awaitProvider("idless");
        awaitCondition("a key stayed in a deploy file", () -> {
            try (Stream<Path> files = Files.list(deploy())) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    String text = Files.readString(f);
                    if (text.contains(k1) || text.contains(k2) || text.contains(k3)) {
                        return false;
                    }
                }
            }
            return true;
        });
        assertTrue("the file without an id was not renamed after its new id",
                Files.exists(deploy().resolve("moryflow.provider.openai-idless.cfg")));
        assertFalse(Files.exists(deploy().resolve("moryflow.provider.openai.cfg")));
        assertEquals("its key is the key of the provider it became", 200, chat("idless/m").statusCode());
        assertEquals("Bearer " + k2, a.take().header("Authorization"));
        for (String pid : new String[] { OPENAI_FACTORY + "~my leak", OPENAI_FACTORY + "~idless",
            OPENAI_FACTORY + "~creds" }) {
            Configuration[] c = configAdmin.listConfigurations("(service.pid=" + pid + ")");
            assertTrue(pid, c != null && c.length == 1);
            // taken out once the store is written, a moment after the key came
            awaitCondition(() -> pid + ": " + c[0].getProperties(), () -> {
                String text = String.valueOf(c[0].getProperties());
                return !(text.contains(k1) || text.contains(k2) || text.contains(k3));
            });
        }
        assertNull("a plain configuration of the factory would block every provider",
                configAdmin.listConfigurations("(service.pid=" + OPENAI_FACTORY + ")"));
        String listed = send("GET", "/api/providers", null).body() + send("GET", "/api/providers/creds", null).body();
        assertFalse(listed, listed.contains(k3) || listed.contains("user:"));
        assertFalse("an invalid configuration's key is never a provider key",
                store().list().stream().anyMatch(m -> m.id().contains("leak")));
        try (Stream<Path> files = Files.walk(workDir())) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(f)) {
                    String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                    assertFalse(f + " holds a key", text.contains(k1) || text.contains(k2) || text.contains(k3));
                }
            }
        }
    }

    /**
     * @return the properties of configuration {@code moryflow.provider.openai~twice}, or null when there is none: also
     *         when it is deleted as it is read (the hub deletes and makes it again while it sets a second file aside)
     */
    private java.util.Dictionary<String, Object> twice() throws Exception {
        Configuration[] c = configAdmin.listConfigurations("(service.pid=" + OPENAI_FACTORY + "~twice)");
        try {
            return c == null ? null : c[0].getProperties();
        } catch (IllegalStateException deletedMeanwhile) {
            return null;
        }
    }

    private String twiceNow() throws Exception {
        java.util.Dictionary<String, Object> c = twice();
        return (c == null ? "no configuration" : String.valueOf(c)) + ", provider "
                + (providerRefs("(provider.id=twice)") == null ? "none" : "registered") + ", files "
                + java.util.Arrays.toString(deploy().toFile().list());
    }

    @Test
    public void aProviderRefusedForAnIdHeldElsewhereIsRegisteredOnceTheOtherGoes() throws Exception {
        HeldProvider squatter = new HeldProvider("late");
        org.osgi.framework.ServiceRegistration<dev.moryflow.provider.ProviderService> held = context.registerService(
                dev.moryflow.provider.ProviderService.class, squatter, new java.util.Hashtable<>(squatter.properties()));
        try {
            provider("late", "name", "Late", "baseUrl", a.baseUrl(), "models", new String[] { "m" });
            // its component has been made (and so has applied the configuration, and been refused) while the other
            // registration holds the id: the only provider of that id is still the other
            org.osgi.service.component.runtime.ServiceComponentRuntime scr = context.getService(
                    context.getServiceReference(org.osgi.service.component.runtime.ServiceComponentRuntime.class));
            awaitCondition("the component of configuration ~late was not activated", () -> scr
                    .getComponentDescriptionDTOs().stream()
                    .filter(d -> java.util.Arrays.asList(d.configurationPid).contains(OPENAI_FACTORY))
                    .flatMap(d -> scr.getComponentConfigurationDTOs(d).stream())
                    .anyMatch(c -> (OPENAI_FACTORY + "~late").equals(c.properties.get("service.pid"))
                            && c.state == org.osgi.service.component.runtime.dto.ComponentConfigurationDTO.ACTIVE));
            org.osgi.framework.ServiceReference<?>[] refs = providerRefs("(provider.id=late)");
            assertEquals("a second provider of id late was registered", 1, refs.length);
            assertEquals(null, refs[0].getProperty("service.pid"));
        } finally {
            held.unregister();
        }
        awaitCondition("the refused configuration did not take its id once the other registration went", () -> {
            org.osgi.framework.ServiceReference<?>[] refs = providerRefs("(provider.id=late)");
            return refs != null && refs.length == 1 && "Late".equals(refs[0].getProperty("provider.name"));
        });
    }

    @Test
    public void aSecondFileForOneIdIsRefusedAndTheFirstFileKeepsItsProvider() throws Exception {
        String k1 = key("first-file");
        String k2 = key("second-file");
        write("moryflow.provider.openai-twice.cfg", "name = First", "baseUrl = " + a.baseUrl(), "apiKey = " + k1,
                "models = m");
        awaitProvider("twice");
        awaitKeyStored("twice");
        write("moryflow.provider.openai-twice.config", "name = \"Second\"", "baseUrl = \"" + b.baseUrl() + "\"",
                "apiKey = \"" + k2 + "\"", "models = [\"m\"]");
        awaitCondition("the second file was not set aside", () -> Files.exists(deploy().resolve(
                "moryflow.provider.openai-twice.config.refused"))
                && !Files.exists(deploy().resolve("moryflow.provider.openai-twice.config")));
        awaitCondition(() -> "the provider is not the first file's again: " + twiceNow(), () -> {
            java.util.Dictionary<String, Object> c = twice();
            return c != null && "First".equals(c.get("name"))
                    && String.valueOf(c.get("felix.fileinstall.filename")).endsWith(".cfg")
                    && providerRefs("(provider.id=twice)") != null
                    && "First".equals(context.getService(awaitProvider("twice")).info().name());
        });
        // FileInstall rewrites the first file when the configuration is made again: read it once that is done
        awaitCondition("the first file is gone", () -> Files.exists(deploy().resolve(
                "moryflow.provider.openai-twice.cfg")) && Files.readString(deploy().resolve(
                        "moryflow.provider.openai-twice.cfg")).contains("First"));
        HttpResponse<String> r = chat("twice/m");
        assertEquals(r.body(), 200, r.statusCode());
        assertEquals("Bearer " + k1, a.take().header("Authorization"));
        assertTrue("the refused file's upstream got something: " + b.all(), b.all().isEmpty());
        try (Stream<Path> files = Files.list(deploy())) {
            for (Path f : (Iterable<Path>) files::iterator) {
                assertFalse(f + " holds a key", Files.readString(f).contains(k2) || Files.readString(f).contains(k1));
            }
        }
    }

    @Test
    public void anEditSavedWithoutItsFileTieIsWrittenBackToTheDeployFile() throws Exception {
        write("moryflow.provider.openai-filed.cfg", "name = Filed", "baseUrl = " + a.baseUrl(), "models = m");
        awaitProvider("filed");
        Configuration c = configAdmin.getFactoryConfiguration(OPENAI_FACTORY, "filed", "?");
        awaitCondition("FileInstall did not tie the configuration to its file",
                () -> c.getProperties().get("felix.fileinstall.filename") != null);
        Dictionary<String, Object> p = c.getProperties();
        p.remove("felix.fileinstall.filename"); // what a Web Console "Save" sends
        p.put("name", "Filed and edited");
        c.update(p);
        awaitCondition("the edit did not reach the deploy file", () -> Files.readString(
                deploy().resolve("moryflow.provider.openai-filed.cfg")).contains("Filed and edited"));
        assertTrue(String.valueOf(c.getProperties().get("felix.fileinstall.filename")).endsWith("openai-filed.cfg"));
    }
}
