package dev.moryflow.credentials.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.util.Dictionary;
import java.util.Map;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import dev.moryflow.credentials.CredentialStore;
import dev.moryflow.credentials.KeyHeldException;
import dev.moryflow.events.EventProperties;
import dev.moryflow.events.Topics;

public class ConfigurationStewardTest {

    private static final String FACTORY = "moryflow.provider.openai";
    private static final String K1 = "owner-key-1111-AAAA";
    private static final String K2 = "intruder-key-2222-BBBB";

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private final Fixtures.RecordingEvents events = new Fixtures.RecordingEvents();
    private final FakeConfigurationAdmin cm = new FakeConfigurationAdmin();
    private Vault vault;
    private ConfigurationSteward steward;

    @Before
    public void setUp() {
        vault = Fixtures.openVault(temp.getRoot().toPath().resolve("store"), null, events,
                new Fixtures.MutableClock(Fixtures.T0));
        steward = new ConfigurationSteward(cm.proxy(), vault);
        cm.steward = steward;
    }

    private static Map<String, Object> provider(String name, String baseUrl, String key) {
        return key == null ? Map.of("name", name, "baseUrl", baseUrl)
                : Map.of("name", name, "baseUrl", baseUrl, "apiKey", key);
    }

    private char[] keyOf(String id, String origin) {
        return vault.secretFor(id, origin).orElseThrow();
    }

    @Test
    public void aKeyIsStoredForItsConfigurationAndOriginAndRemovedFromTheConfiguration() {
        cm.put(FACTORY + "~groq", FACTORY, provider("Groq", "https://api.groq.com/openai/v1", K1));
        assertNull(cm.get(FACTORY + "~groq").get("apiKey"));
        assertEquals("Groq", cm.get(FACTORY + "~groq").get("name"));
        assertArrayEquals(K1.toCharArray(), keyOf("groq", "https://api.groq.com"));
        assertEquals(FACTORY + "~groq", vault.metadata("groq").orElseThrow().configuration());
        assertEquals("https://api.groq.com", vault.metadata("groq").orElseThrow().origin());
    }

    /** A steward whose flushes run only when the test calls {@link ConfigurationSteward#flush()}. */
    private ConfigurationSteward flushedByHand() {
        java.util.concurrent.ScheduledExecutorService stopped = java.util.concurrent.Executors
                .newSingleThreadScheduledExecutor();
        stopped.shutdown();
        ConfigurationSteward s = new ConfigurationSteward(cm.proxy(), vault, null, null, stopped);
        cm.steward = s;
        return s;
    }

    private Vault reopened() {
        return Fixtures.openVault(temp.getRoot().toPath().resolve("store"), null, events,
                new Fixtures.MutableClock(Fixtures.T0));
    }

    @Test
    public void aKeyTakenInIsUsedAtOnceAndLeavesItsConfigurationOnlyOnceItIsOnDisk() {
        ConfigurationSteward later = flushedByHand();
        cm.put(FACTORY + "~groq", FACTORY, provider("Groq", "https://api.groq.com/openai/v1", K1));
        assertArrayEquals("in use at once", K1.toCharArray(), keyOf("groq", "https://api.groq.com"));
        assertEquals("still in its configuration: not on disk yet", K1, cm.get(FACTORY + "~groq").get("apiKey"));
        assertFalse(reopened().metadata("groq").isPresent());
        later.flush();
        assertNull(cm.get(FACTORY + "~groq").get("apiKey"));
        assertTrue(reopened().metadata("groq").isPresent());
    }

    @Test
    public void manyProvidersArrivingTogetherAreWrittenToTheStoreInOneGo() {
        ConfigurationSteward later = flushedByHand();
        for (int i = 0; i < 20; i++) {
            cm.put(FACTORY + "~bulk" + i, FACTORY, provider("Bulk " + i, "https://bulk" + i + ".example/v1",
                    "sk-bulk-" + i + "-0123"));
        }
        assertFalse("nothing was written one key at a time", reopened().metadata("bulk0").isPresent());
        later.flush();
        Vault disk = reopened();
        for (int i = 0; i < 20; i++) {
            assertTrue(disk.metadata("bulk" + i).isPresent());
            assertNull(cm.get(FACTORY + "~bulk" + i).get("apiKey"));
        }
    }

    @Test
    public void anEditMadeBeforeTheFlushIsKeptAndOnlyTheStoredKeyLeaves() {
        ConfigurationSteward later = flushedByHand();
        cm.put(FACTORY + "~edit", FACTORY, provider("Edit", "https://a.example/v1", K1));
        cm.put(FACTORY + "~edit", FACTORY, provider("Edited", "https://a.example/other/v1", K1));
        later.flush();
        assertEquals("Edited", cm.get(FACTORY + "~edit").get("name"));
        assertEquals("https://a.example/other/v1", cm.get(FACTORY + "~edit").get("baseUrl"));
        assertNull(cm.get(FACTORY + "~edit").get("apiKey"));
    }

    @Test
    public void aConfigurationDeletedBeforeTheFlushTakesItsKeyAndIsNotWrittenBack() {
        ConfigurationSteward later = flushedByHand();
        cm.put(FACTORY + "~brief", FACTORY, provider("Brief", "https://brief.example/v1", K1));
        cm.delete(FACTORY + "~brief");
        later.flush();
        assertNull("not made again by a late update", cm.get(FACTORY + "~brief"));
        assertFalse(reopened().metadata("brief").isPresent());
    }

    @Test
    public void aRefusedDuplicateNeverWritesTheOwnersKey() {
        cm.put(FACTORY + "~dup", FACTORY, provider("dup", "https://a.example/v1", K1));
        String second = cm.putGenerated(FACTORY, Map.of("id", "dup", "name", "dup", "baseUrl",
                "https://b.example/v1", "apiKey", K2));
        assertArrayEquals(K1.toCharArray(), keyOf("dup", "https://a.example"));
        assertNull("the refused configuration keeps no key", cm.get(second).get("apiKey"));
        assertTrue(vault.isParked(second));
        assertTrue(events.withTopic(Topics.CREDENTIAL_ROTATED).isEmpty());
        cm.delete(second);
        assertFalse("the parked key goes with its configuration", vault.isParked(second));
        assertArrayEquals(K1.toCharArray(), keyOf("dup", "https://a.example"));
    }

    @Test
    public void aConsoleMadeProviderGetsItsIdOnceAndARenameKeepsItAndItsKey() {
        String generated = cm.putGenerated(FACTORY, provider("My AI Service", "https://ai.example.com/v1", K1));
        assertNull("the generated configuration is replaced", cm.get(generated));
        Dictionary<String, Object> named = cm.get(FACTORY + "~my-ai-service");
        assertEquals("My AI Service", named.get("name"));
        assertNull(named.get("apiKey"));
        assertArrayEquals(K1.toCharArray(), keyOf("my-ai-service", "https://ai.example.com"));

        cm.put(FACTORY + "~my-ai-service", FACTORY, provider("Renamed", "https://ai.example.com/v2", null));
        assertArrayEquals(K1.toCharArray(), keyOf("my-ai-service", "https://ai.example.com"));

        String again = cm.putGenerated(FACTORY, provider("My AI Service", "https://other.example.com/v1", null));
        assertNull(cm.get(again));
        assertEquals("a second provider of that name gets another id", "My AI Service",
                cm.get(FACTORY + "~my-ai-service-2").get("name"));
        assertFalse(vault.metadata("my-ai-service-2").isPresent());
    }

    @Test
    public void deletingAProviderDeletesItsKeyAndANewOneWithThatIdStartsWithout() {
        cm.put(FACTORY + "~gone", FACTORY, provider("Gone", "https://a.example/v1", K1));
        cm.delete(FACTORY + "~gone");
        assertFalse(vault.metadata("gone").isPresent());
        assertEquals(1, events.withTopic(Topics.CREDENTIAL_DELETED).size());
        cm.put(FACTORY + "~gone", FACTORY, provider("Gone", "https://evil.example/v1", null));
        assertFalse(vault.metadata("gone").isPresent());
    }

    @Test
    public void aBaseUrlMovedToAnotherOriginHoldsTheKeyUntilTheUserConfirms() {
        cm.put(FACTORY + "~p", FACTORY, provider("P", "https://a.example/v1", K1));
        cm.put(FACTORY + "~p", FACTORY, provider("P", "https://a.example/other/v1", null));
        assertTrue("a path change needs nothing", events.withTopic(Topics.CREDENTIAL_HELD).isEmpty());
        assertArrayEquals(K1.toCharArray(), keyOf("p", "https://a.example"));

        cm.put(FACTORY + "~p", FACTORY, provider("P", "https://evil.example:8443/v1", null));
        assertEquals(1, events.withTopic(Topics.CREDENTIAL_HELD).size());
        Map<String, Object> held = events.withTopic(Topics.CREDENTIAL_HELD).get(0).properties;
        assertEquals("https://a.example", held.get(EventProperties.ORIGIN_FROM));
        assertEquals("https://evil.example:8443", held.get(EventProperties.ORIGIN_TO));
        assertEquals("https://evil.example:8443", vault.metadata("p").orElseThrow().movedTo());
        try {
            vault.secretFor("p", "https://evil.example:8443");
            fail("a held key was given out for the new host");
        } catch (KeyHeldException expected) {
            assertFalse(expected.getMessage().contains(K1));
        }
        vault.confirmMove("p");
        assertArrayEquals(K1.toCharArray(), keyOf("p", "https://evil.example:8443"));
    }

    @Test
    public void aKeyFromTheEnvironmentIsBoundToItsFirstOriginAndHeldWhenTheBaseUrlMoves() {
        cm.put(FACTORY + "~env", FACTORY, Map.of("name", "Env", "baseUrl", "https://a.example/v1", "apiKeyEnv", "X"));
        vault.admitExternal("env", FACTORY + "~env", "https://a.example");
        assertEquals("https://a.example", vault.externalBinding("env").orElseThrow().origin());
        assertTrue("a binding is no key", vault.list().isEmpty());
        cm.put(FACTORY + "~env", FACTORY, Map.of("name", "Env", "baseUrl", "https://evil.example/v1", "apiKeyEnv",
                "X"));
        assertEquals(1, events.withTopic(Topics.CREDENTIAL_HELD).size());
        assertEquals("env", events.withTopic(Topics.CREDENTIAL_HELD).get(0).properties.get(EventProperties.PROVIDER_ID));
        try {
            vault.admitExternal("env", FACTORY + "~env", "https://evil.example");
            fail("the environment's key was let go to the new host");
        } catch (KeyHeldException expected) {
            assertEquals("https://a.example", expected.from());
        }
        vault.confirmMove("env");
        vault.admitExternal("env", FACTORY + "~env", "https://evil.example");
        cm.delete(FACTORY + "~env");
        assertFalse(vault.externalBinding("env").isPresent());
    }

    @Test
    public void storingTheKeyAgainReleasesAHeldKey() {
        cm.put(FACTORY + "~p", FACTORY, provider("P", "https://a.example/v1", K1));
        cm.put(FACTORY + "~p", FACTORY, provider("P", "https://b.example/v1", K2));
        assertTrue(events.withTopic(Topics.CREDENTIAL_HELD).isEmpty());
        assertArrayEquals(K2.toCharArray(), keyOf("p", "https://b.example"));
    }

    @Test
    public void anInvalidConfigurationKeepsNoKeyInTheConfigurationAndNeverUsesIt() {
        cm.put(FACTORY + "~my leak", FACTORY, provider("x", "https://a.example/v1", K1));
        assertNull(cm.get(FACTORY + "~my leak").get("apiKey"));
        assertTrue(vault.isParked(FACTORY + "~my leak"));
        assertTrue("parked keys are not listed", vault.list().isEmpty());
        cm.delete(FACTORY + "~my leak");
        assertFalse(vault.isParked(FACTORY + "~my leak"));
    }

    @Test
    public void aPlainConfigurationWithTheFactorysPidBecomesAProviderWithAnIdFromItsName() {
        cm.put(FACTORY, null, provider("Idless AI", "https://a.example/v1", K2));
        assertNull("it would block every provider of the factory", cm.get(FACTORY));
        assertNull(cm.get(FACTORY + "~idless-ai").get("apiKey"));
        assertArrayEquals(K2.toCharArray(), keyOf("idless-ai", "https://a.example"));
        assertEquals(FACTORY + "~idless-ai", vault.metadata("idless-ai").orElseThrow().configuration());
    }

    @Test
    public void credentialsInABaseUrlAreRemovedAndNeverKept() {
        cm.put(FACTORY + "~u", FACTORY, provider("U", "https://user:" + K1 + "@a.example/v1", null));
        assertEquals("https://a.example/v1", cm.get(FACTORY + "~u").get("baseUrl"));
        assertFalse(vault.metadata("u").isPresent());
    }

    @Test
    public void theGatewayTokenLivesInTheHubNamespace() {
        cm.put("moryflow.gateway", null, Map.of("token", "gw-token-777"));
        assertNull(cm.get("moryflow.gateway").get("token"));
        assertTrue(vault.verify(CredentialStore.GATEWAY_TOKEN, "gw-token-777".toCharArray()));
        assertFalse(vault.metadata("gateway.token").isPresent());
    }

    @Test
    public void aConsoleSaveThatDetachesAFileMadeConfigurationIsTiedToItsFileAgain() throws Exception {
        File file = temp.newFile("moryflow.provider.openai-f.cfg");
        String url = file.toURI().toString();
        cm.put(FACTORY + "~f", FACTORY, Map.of("name", "F", "baseUrl", "https://a.example/v1",
                "felix.fileinstall.filename", url));
        cm.put(FACTORY + "~f", FACTORY, Map.of("name", "F edited", "baseUrl", "https://a.example/v1"));
        assertEquals(url, cm.get(FACTORY + "~f").get("felix.fileinstall.filename"));
        assertEquals("F edited", cm.get(FACTORY + "~f").get("name"));
    }

    @Test
    public void atStartKeysWithoutAConfigurationAreDeleted() {
        vault.store("orphan", K1.toCharArray(), FACTORY + "~orphan", "https://a.example");
        vault.store("legacy", K2.toCharArray());
        cm.steward = null;
        cm.put(FACTORY + "~legacy", FACTORY, provider("L", "https://l.example/v1", null));
        steward.start();
        assertFalse(vault.metadata("orphan").isPresent());
        assertEquals(FACTORY + "~legacy", vault.metadata("legacy").orElseThrow().configuration());
        assertEquals("https://l.example", vault.metadata("legacy").orElseThrow().origin());
    }
}
