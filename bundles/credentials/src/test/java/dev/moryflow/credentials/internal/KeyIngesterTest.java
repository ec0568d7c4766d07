package dev.moryflow.credentials.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.osgi.service.cm.Configuration;

import dev.moryflow.credentials.CredentialStore;
import dev.moryflow.events.Topics;

public class KeyIngesterTest {

    private static final String KEY = "gsk_live_ABCDEF0123456789";
    private static final String FILE = "file:/opt/moryflow/deploy/moryflow.provider.openai-groq.cfg";

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private final Fixtures.RecordingEvents events = new Fixtures.RecordingEvents();
    private Vault vault;
    private KeyIngester ingester;

    @Before
    public void setUp() {
        vault = Fixtures.openVault(temp.getRoot().toPath(), null, events, new Fixtures.MutableClock(Fixtures.T0));
        ingester = new KeyIngester(vault);
    }

    /** A Configuration that keeps its properties and records each update. */
    static final class FakeConfiguration {
        final String pid;
        final String factoryPid;
        Dictionary<String, Object> properties;
        final List<Dictionary<String, Object>> updates = new ArrayList<>();

        FakeConfiguration(String pid, String factoryPid, Map<String, Object> properties) {
            this.pid = pid;
            this.factoryPid = factoryPid;
            this.properties = new Hashtable<>(properties);
            this.properties.put("service.pid", pid);
            if (factoryPid != null) {
                this.properties.put("service.factoryPid", factoryPid);
            }
        }

        Configuration proxy() {
            return (Configuration) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {Configuration.class}, (p, method, args) -> {
                        switch (method.getName()) {
                        case "getPid":
                            return pid;
                        case "getFactoryPid":
                            return factoryPid;
                        case "getProperties":
                            return new Hashtable<>(Collections.list(properties.keys()).stream()
                                    .collect(java.util.stream.Collectors.toMap(k -> k, properties::get)));
                        case "updateIfDifferent":
                        case "update":
                            @SuppressWarnings("unchecked")
                            Dictionary<String, Object> next = (Dictionary<String, Object>) args[0];
                            updates.add(next);
                            properties = new Hashtable<>(Collections.list(next.keys()).stream()
                                    .collect(java.util.stream.Collectors.toMap(k -> k, next::get)));
                            return "updateIfDifferent".equals(method.getName()) ? Boolean.TRUE : null;
                        case "hashCode":
                            return System.identityHashCode(p);
                        case "equals":
                            return p == args[0];
                        case "toString":
                            return "Configuration " + pid;
                        default:
                            throw new UnsupportedOperationException(method.getName());
                        }
                    });
        }
    }

    private static FakeConfiguration groq(String key) {
        return new FakeConfiguration("moryflow.provider.openai~groq", "moryflow.provider.openai",
                Map.of("name", "Groq", "baseUrl", "https://api.groq.com/openai/v1", "apiKey", key,
                        "models", new String[] {"llama-3.1-70b-versatile"}, "felix.fileinstall.filename", FILE));
    }

    @Test
    public void anApiKeyIsStoredAndRemovedFromTheConfigurationKeepingEverythingElse() {
        FakeConfiguration config = groq(KEY);
        assertTrue(ingester.ingest(config.proxy()));

        assertArrayEquals(KEY.toCharArray(), vault.secret("groq").orElseThrow());
        assertEquals(1, config.updates.size());
        Dictionary<String, Object> updated = config.updates.get(0);
        assertNull(updated.get("apiKey"));
        assertEquals("Groq", updated.get("name"));
        assertEquals("https://api.groq.com/openai/v1", updated.get("baseUrl"));
        assertEquals(FILE, updated.get("felix.fileinstall.filename"));
        assertArrayEquals(new String[] {"llama-3.1-70b-versatile"}, (String[]) updated.get("models"));
        assertEquals(1, events.withTopic(Topics.CREDENTIAL_STORED).size());
    }

    @Test
    public void theUpdatedConfigurationIsLeftAloneNoLoop() {
        FakeConfiguration config = groq(KEY);
        ingester.ingest(config.proxy());
        assertFalse(ingester.ingest(config.proxy()));
        assertEquals(1, config.updates.size());
    }

    @Test
    public void aNewKeyInTheConfigurationRotates() {
        ingester.ingest(groq(KEY).proxy());
        FakeConfiguration again = groq("gsk_rotated_999");
        assertTrue(ingester.ingest(again.proxy()));
        assertArrayEquals("gsk_rotated_999".toCharArray(), vault.secret("groq").orElseThrow());
        assertEquals(1, events.withTopic(Topics.CREDENTIAL_ROTATED).size());
    }

    @Test
    public void theSameKeyAgainIsRemovedWithoutARotation() {
        ingester.ingest(groq(KEY).proxy());
        FakeConfiguration again = groq(KEY);
        assertTrue(ingester.ingest(again.proxy()));
        assertEquals(1, again.updates.size());
        assertEquals(0, events.withTopic(Topics.CREDENTIAL_ROTATED).size());
    }

    @Test
    public void surroundingWhiteSpaceIsNotPartOfTheKey() {
        ingester.ingest(groq("  " + KEY + "\n").proxy());
        assertArrayEquals(KEY.toCharArray(), vault.secret("groq").orElseThrow());
    }

    @Test
    public void aBlankKeyIsLeftInPlace() {
        FakeConfiguration config = groq("  ");
        assertFalse(ingester.ingest(config.proxy()));
        assertTrue(config.updates.isEmpty());
        assertTrue(vault.list().isEmpty());
    }

    @Test
    public void aGeneratedPidTakesItsIdFromTheName() {
        FakeConfiguration config = new FakeConfiguration("moryflow.provider.openai.7f3a-11", "moryflow.provider.openai",
                Map.of("name", "My AI Service", "apiKey", KEY));
        ingester.ingest(config.proxy());
        assertTrue(vault.secret("my-ai-service").isPresent());
    }

    @Test
    public void theGatewayTokenIsStoredUnderItsOwnId() {
        FakeConfiguration config = new FakeConfiguration("moryflow.gateway", null,
                Map.of("token", "gw-token-777", "cors", "*"));
        assertTrue(ingester.ingest(config.proxy()));
        assertTrue(vault.verify(CredentialStore.GATEWAY_TOKEN, "gw-token-777".toCharArray()));
        assertNull(config.updates.get(0).get("token"));
        assertEquals("*", config.updates.get(0).get("cors"));
    }

    @Test
    public void otherConfigurationsAreIgnored() {
        FakeConfiguration model = new FakeConfiguration("moryflow.model~x", "moryflow.model",
                Map.of("apiKey", KEY));
        FakeConfiguration http = new FakeConfiguration("moryflow.http", null, Map.of("token", KEY));
        assertFalse(ingester.ingest(model.proxy()));
        assertFalse(ingester.ingest(http.proxy()));
        assertTrue(model.updates.isEmpty() && http.updates.isEmpty());
        assertTrue(vault.list().isEmpty());
    }

    @Test
    public void whenTheStoreIsDamagedTheKeyStaysInTheConfiguration() throws Exception {
        Vault damaged = new Vault(temp.newFolder("damaged").toPath(), null, events,
                new Fixtures.MutableClock(Fixtures.T0), 90);
        // never opened: unavailable
        FakeConfiguration config = groq(KEY);
        assertFalse(new KeyIngester(damaged).ingest(config.proxy()));
        assertTrue(config.updates.isEmpty());
        assertEquals(KEY, config.properties.get("apiKey"));
    }

    @Test
    public void concernsOnlyProviderFactoriesAndTheGateway() {
        assertTrue(KeyIngester.concerns("moryflow.provider.anthropic~claude", "moryflow.provider.anthropic"));
        assertTrue(KeyIngester.concerns("moryflow.gateway", null));
        assertFalse(KeyIngester.concerns("moryflow.route~a", "moryflow.route"));
        assertFalse(KeyIngester.concerns("moryflow.credentials", null));
    }

    @Test
    public void filterValuesAreEscaped() {
        assertEquals("a\\(b\\)\\*\\\\", KeyIngestionComponent.escape("a(b)*\\"));
    }
}
