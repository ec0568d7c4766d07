package dev.moryflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;

import dev.moryflow.credentials.CredentialAccessException;
import dev.moryflow.credentials.CredentialMetadata;
import dev.moryflow.itests.foreign.ForeignActivator;
import dev.moryflow.provider.ChatRequest;

/**
 * A provider {@code victim} keeps its key in the credential store; a foreign bundle, built by the test and installed
 * while the hub runs, tries every way the public API offers to get that key. Each attempt runs inside the foreign
 * bundle (see {@code foreign/Attempts}) with its own context and reports its outcome back through a service.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class CredentialIsolationIT extends HubTestSupport {

    private static final String VICTIM = "victim";
    private static final String KEY = "sk-victim-ISOLATED-" + "0f3a9c2e7b51d8";
    private static final String FOREIGN_LOCATION = "itest:foreign-bundle";
    private static final String FOREIGN_BSN = "dev.moryflow.itests.foreign";

    private FakeUpstream upstream;

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return hub(newWorkDir("isolation"));
    }

    @Before
    public void victimWithAStoredKeyAndAForeignBundle() throws Exception {
        upstream = new FakeUpstream();
        // the same key again is a no-op for the store; the configuration follows this run's upstream
        provider(VICTIM, "name", "Victim", "baseUrl", upstream.baseUrl(), "models", new String[] { "victim-model" },
                "apiKey", KEY);
        awaitProvider(VICTIM);
        awaitCondition("the victim does not use this test's upstream yet", () -> upstream.baseUrl().equals(
                context.getService(awaitProvider(VICTIM)).info().baseUrl()));
        awaitKeyStored(VICTIM);
        awaitCondition("apiKey is still in the victim's configuration", () -> victimConfiguration().get("apiKey") == null);
        if (context.getBundle(FOREIGN_LOCATION) == null) {
            Bundle foreign = context.installBundle(FOREIGN_LOCATION, new ByteArrayInputStream(buildForeignBundle()));
            foreign.start();
        }
        awaitService(BiFunction.class, "(" + ForeignActivator.MARKER + "=attempts)");
    }

    @After
    public void closeUpstream() {
        upstream.close();
    }

    private java.util.Dictionary<String, Object> victimConfiguration() throws Exception {
        Configuration[] found = configAdmin.listConfigurations("(service.pid=" + OPENAI_FACTORY + "~" + VICTIM + ")");
        return found[0].getProperties();
    }

    /** Builds the foreign bundle from the classes of the {@code foreign} package, with its own manifest. */
    private byte[] buildForeignBundle() throws Exception {
        return bundleOf(FOREIGN_BSN, ForeignActivator.class, "dev.moryflow.credentials;version=\"[2.0,3)\","
                + "dev.moryflow.provider;version=\"[2.0,3)\",org.osgi.framework,org.osgi.service.cm", 3);
    }

    /** Runs one attempt inside the foreign bundle. */
    @SuppressWarnings("unchecked")
    private Map<String, String> attempt(String name, String... args) throws Exception {
        ServiceReference<BiFunction> ref = awaitService(BiFunction.class, "(" + ForeignActivator.MARKER + "=attempts)");
        BiFunction<String, List<String>, Map<String, String>> attempts = context.getService(ref);
        try {
            Map<String, String> r = attempts.apply(name, List.of(args));
            System.out.println("isolation attempt " + name + ": " + r.get("outcome")
                    + (r.containsKey("exception") ? " " + r.get("exception") : ""));
            return r;
        } finally {
            context.ungetService(ref);
        }
    }

    /** The attempt failed with a CredentialAccessException, or came back empty, and its text holds no key. */
    private void assertNoKeyFor(String name, Map<String, String> r) {
        String outcome = r.get("outcome");
        assertFalse(name + " handed the victim's key to the foreign bundle", "READ".equals(outcome)
                || String.valueOf(r.get("value")).contains(KEY));
        assertTrue(name + ": expected a CredentialAccessException or nothing, got " + outcome + " "
                + r.get("exception"), "REFUSED".equals(outcome) || "EMPTY".equals(outcome));
        if ("REFUSED".equals(outcome)) {
            assertEquals(CredentialAccessException.class.getName(), r.get("exception"));
        }
        assertFalse(name + ": the refusal's message holds the key", String.valueOf(r.get("message")).contains(KEY));
    }

    @Test
    public void theVictimsOwnBundleSendsItsKeySoEveryRefusalHereGuardsARealKey() throws Exception {
        assertEquals("Hello from victim-model", chatService().chat(ChatRequest.of("victim-model", "hi")).content());
        assertEquals("Bearer " + KEY, upstream.take().header("authorization"));
    }

    @Test
    public void readingTheVictimsKeyThroughTheForeignBundlesOwnViewIsRefusedWithoutTheKeyInTheMessage()
            throws Exception {
        Map<String, String> r = attempt("read-own-view", VICTIM);
        assertNoKeyFor("read through the foreign bundle's own view", r);
        assertEquals("REFUSED", r.get("outcome"));
        String message = r.get("message");
        assertTrue(message, message.contains("'" + VICTIM + "'") && message.contains(FOREIGN_BSN));
    }

    @Test
    public void serviceObjectsAndEveryStoreReferenceStillGiveTheForeignBundleOnlyItsOwnView() throws Exception {
        assertNoKeyFor("read through ServiceObjects", attempt("read-service-objects", VICTIM));
        assertNoKeyFor("read through every CredentialStore reference", attempt("read-every-reference", VICTIM));
    }

    @Test
    public void registeringAProviderUnderTheVictimsIdDoesNotUnlockTheVictimsKey() throws Exception {
        Map<String, String> r = attempt("read-after-registering-provider", VICTIM);
        // the victim's provider was registered first, by the provider-openai bundle: the key is that bundle's
        assertNoKeyFor("read after registering a ProviderService with provider.id=" + VICTIM, r);
        awaitProvider(VICTIM);
        chatService().chat(ChatRequest.of("victim-model", "still mine"));
        assertEquals("Bearer " + KEY, upstream.take().header("authorization"));
    }

    @Test
    public void metadataAndListGiveFingerprintsAndDatesButNoSecretBytes() throws Exception {
        CredentialMetadata expected = awaitKeyStored(VICTIM);
        Map<String, String> meta = attempt("metadata", VICTIM);
        assertEquals("RESULT", meta.get("outcome"));
        assertTrue(meta.get("value"), meta.get("value").contains(expected.fingerprint()));
        assertFalse("metadata holds the key", meta.get("value").contains(KEY));
        Map<String, String> list = attempt("list", VICTIM);
        assertEquals("RESULT", list.get("outcome"));
        assertTrue(list.get("value"), list.get("value").contains("id=" + VICTIM));
        assertFalse("list holds the key", list.get("value").contains(KEY));
        // the fingerprint is 8 hex digits of a salted SHA-256: no distinctive part of the key shows through
        assertEquals(8, expected.fingerprint().substring("sha256:".length()).length());
        for (String part : new String[] { "ISOLATED", "0f3a9c2e", "9c2e7b51d8" }) {
            assertFalse("metadata shows part of the key: " + part, meta.get("value").contains(part)
                    || list.get("value").contains(part));
        }
    }

    @Test
    public void verifyAnswersOnlyYesOrNoAndGivesNoPrefixOracle() throws Exception {
        assertEquals("true", attempt("verify", VICTIM, KEY).get("value"));
        for (String wrong : new String[] { "", KEY.substring(0, KEY.length() / 2), KEY.substring(0, KEY.length() - 1),
                KEY + "x", KEY.toLowerCase(java.util.Locale.ROOT), "sk-" }) {
            Map<String, String> r = attempt("verify", VICTIM, wrong);
            assertEquals("RESULT", r.get("outcome"));
            assertEquals("verify of a near miss", "false", r.get("value"));
        }
        Map<String, String> none = attempt("verify", "nobody-has-this-id", KEY);
        assertEquals("false", none.get("value"));
    }

    @Test
    public void theVictimsConfigurationAndProviderServiceShowNoKeyToTheForeignBundle() throws Exception {
        Map<String, String> configurations = attempt("configurations", VICTIM);
        assertEquals(configurations.get("message"), "RESULT", configurations.get("outcome"));
        String all = configurations.get("value");
        String victimLine = all.lines().filter(l -> l.startsWith(OPENAI_FACTORY + "~" + VICTIM + ":")).findFirst()
                .orElseThrow(() -> new AssertionError("the foreign bundle cannot see the victim's configuration: "
                        + all));
        assertTrue(victimLine, victimLine.contains("baseUrl="));
        assertFalse("apiKey property in " + victimLine, victimLine.toLowerCase(java.util.Locale.ROOT).contains("apikey"));
        assertFalse("a configuration holds the key", all.contains(KEY));
        assertNull(victimConfiguration().get("apiKey"));

        Map<String, String> service = attempt("provider-service", VICTIM);
        assertEquals("RESULT", service.get("outcome"));
        assertTrue(service.get("value"), service.get("value").contains("provider.id=[" + VICTIM + "]"));
        assertFalse("the provider service shows the key", service.get("value").contains(KEY));
    }

    /**
     * Documents the limit of bundle-scoped reads: without Java security every bundle holds AdminPermission, so
     * {@code Bundle.getBundleContext()} of the provider's bundle gives the foreign bundle that bundle's view of the
     * store. Only a SecurityManager with OSGi permissions closes this (docs/threat-model.md, "Out of scope").
     */
    @Test
    public void aViewBorrowedThroughTheProviderBundlesContextIsRefusedToTheBorrowersCode() throws Exception {
        Map<String, String> r = attempt("read-through-provider-bundle-context", VICTIM);
        assertEquals("the foreign bundle read the victim's key through the provider bundle's borrowed context: " + r,
                "REFUSED", r.get("outcome"));
        assertNoKeyFor("read through the provider bundle's borrowed context", r);
        assertTrue(r.toString(), String.valueOf(r.get("message")).contains("dev.moryflow.itests.foreign"));
        // and the provider bundle's own code still reads it: the chat goes through with the key
        theVictimsOwnBundleSendsItsKeySoEveryRefusalHereGuardsARealKey();
    }
}
