package dev.moryflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Enumeration;

import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.Configuration;
import org.osgi.service.event.Event;

import dev.moryflow.credentials.CredentialMetadata;
import dev.moryflow.provider.ChatRequest;
import dev.moryflow.provider.KeyState;
import dev.moryflow.provider.Problem;
import dev.moryflow.provider.ProviderException;
import dev.moryflow.provider.ProviderService;

/** An API key given in a provider configuration is moved into the encrypted store and used from there. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class CredentialIngestionIT extends HubTestSupport {

    private static final String KEY = "sk-itest-SECRET-4242-abcdef";
    private static final String NEW_KEY = "sk-itest-ROTATED-9999-zyxwv";

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return hub(newWorkDir("credentials"));
    }

    @After
    public void cleanUp() throws Exception {
        deleteProviders();
    }

    private Dictionary<String, Object> configurationOf(String id) throws Exception {
        Configuration[] found = configAdmin.listConfigurations("(service.pid=" + OPENAI_FACTORY + "~" + id + ")");
        return found == null ? null : found[0].getProperties();
    }

    @Test
    public void keyFromAConfigurationReachesTheUpstreamAndIsNowhereElse() throws Exception {
        try (FakeUpstream upstream = new FakeUpstream(); EventRecorder events = new EventRecorder()) {
            provider("secure", "name", "Secure", "baseUrl", upstream.baseUrl(), "models",
                    new String[] { "secure-model" }, "apiKey", KEY);
            awaitProvider("secure");
            CredentialMetadata meta = awaitKeyStored("secure");
            assertFalse("the fingerprint reveals the key", KEY.contains(meta.fingerprint().replace("sha256:", "")));
            awaitCondition("apiKey is still in Config Admin", () -> configurationOf("secure").get("apiKey") == null);
            Dictionary<String, Object> left = configurationOf("secure");
            assertEquals("the rest of the configuration is kept", upstream.baseUrl(), left.get("baseUrl"));
            for (Enumeration<String> keys = left.keys(); keys.hasMoreElements();) {
                String k = keys.nextElement();
                assertFalse("key in configuration property " + k, String.valueOf(left.get(k)).contains(KEY)
                        || Arrays.deepToString(new Object[] { left.get(k) }).contains(KEY));
            }

            ProviderService provider = context.getService(awaitProvider("secure"));
            assertEquals(KeyState.PRESENT, provider.info().keyState());
            assertFalse(provider.info().toString().contains(KEY));

            chatService().chat(ChatRequest.of("secure-model", "hello"));
            assertEquals("Bearer " + KEY, upstream.take().header("authorization"));

            Path store = workDir();
            assertTrue("the store wrote nothing under " + store, SecretScan.countFiles(store) > 0);
            assertEquals("files holding the key in clear", java.util.List.of(), SecretScan.filesContaining(store, KEY));
            for (Event e : events.events()) {
                for (String name : e.getPropertyNames()) {
                    assertFalse("key in event " + e.getTopic() + " property " + name,
                            Arrays.deepToString(new Object[] { e.getProperty(name) }).contains(KEY));
                }
            }
        }
    }

    @Test
    public void aNewKeyInTheConfigurationIsUsedForTheNextRequestWithoutRestart() throws Exception {
        try (FakeUpstream upstream = new FakeUpstream()) {
            Configuration c = provider("rotating", "name", "Rotating", "baseUrl", upstream.baseUrl(), "models",
                    new String[] { "rot-model" }, "apiKey", KEY);
            awaitProvider("rotating");
            String first = awaitKeyStored("rotating").fingerprint();
            chatService().chat(ChatRequest.of("rot-model", "one"));
            assertEquals("Bearer " + KEY, upstream.take().header("authorization"));

            awaitCondition("apiKey still in configuration", () -> configurationOf("rotating").get("apiKey") == null);
            Dictionary<String, Object> props = c.getProperties();
            props.put("apiKey", NEW_KEY);
            c.update(props);
            awaitCondition("the new key was not stored",
                    () -> !awaitKeyStored("rotating").fingerprint().equals(first));
            chatService().chat(ChatRequest.of("rot-model", "two"));
            assertEquals("Bearer " + NEW_KEY, upstream.take().header("authorization"));
            assertTrue(awaitKeyStored("rotating").previousFingerprints().contains(first));
        }
    }

    @Test
    public void remoteProviderWithoutKeyIsReportedAndNotCalled() throws Exception {
        provider("keyless", "name", "Keyless", "baseUrl", "https://api.example.invalid/v1", "models",
                new String[] { "remote-model" });
        ProviderService p = context.getService(awaitProvider("keyless"));
        assertEquals(KeyState.MISSING, p.info().keyState());
        try {
            chatService().chat(ChatRequest.of("keyless/remote-model", "hi"));
            fail("a request without the needed key was sent");
        } catch (ProviderException e) {
            assertEquals(Problem.NOT_READY, e.problem());
            assertTrue(e.getMessage(), e.getMessage().contains("keyless"));
        }
        assertNull(configurationOf("keyless").get("apiKey"));
    }
}
