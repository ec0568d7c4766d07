package dev.moryflow.credentials.internal;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import dev.moryflow.credentials.CredentialAccessException;
import dev.moryflow.credentials.CredentialStore;

/**
 * Runs every path that logs (store, rotate, delete, expiry, refused read, ingestion, damaged store, wrong password)
 * with slf4j-simple writing to a captured System.err at debug level, and checks no line holds a secret.
 */
public class LogSecrecyTest {

    private static final String KEY = "sk-LOGCHECK-a1b2c3d4e5f6";
    private static final String ROTATED = "sk-LOGCHECK-rotated-778899";
    private static final String TOKEN = "gw-LOGCHECK-token-5544";
    private static final String PASSWORD = "pw-LOGCHECK-master";

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private PrintStream originalErr;

    @Before
    public void capture() {
        originalErr = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    }

    @After
    public void restore() {
        System.setErr(originalErr);
    }

    @Test
    public void nothingLoggedContainsASecret() throws Exception {
        Path dir = temp.getRoot().toPath().resolve("credentials");
        Fixtures.MutableClock clock = new Fixtures.MutableClock(Fixtures.T0);
        Fixtures.RecordingEvents events = new Fixtures.RecordingEvents();
        Vault vault = Fixtures.openVault(dir, PASSWORD.toCharArray(), events, clock);

        FakeConfigurationAdmin cm = new FakeConfigurationAdmin();
        cm.steward = new ConfigurationSteward(cm.proxy(), vault);
        cm.put("moryflow.provider.openai~groq", "moryflow.provider.openai", Map.of("name", "Groq", "apiKey", KEY));
        cm.put("moryflow.gateway", null, Map.of("token", TOKEN));
        cm.put("moryflow.provider.openai~bad id", "moryflow.provider.openai", Map.of("apiKey", KEY));
        vault.rotate("groq", ROTATED.toCharArray());
        clock.advance(Duration.ofDays(200));
        vault.checkExpiring();
        try {
            Fixtures.view(vault, Fixtures.bundle("other.bundle")).read("groq", null);
        } catch (CredentialAccessException expected) {
            assertFalse(expected.getMessage().contains("LOGCHECK"));
        }
        vault.delete(CredentialStore.GATEWAY_TOKEN);

        Fixtures.openVault(dir, "wrong-LOGCHECK".toCharArray(), events, clock);
        Path store = dir.resolve(Vault.STORE_FILE);
        byte[] bytes = Files.readAllBytes(store);
        bytes[bytes.length - 1] ^= 1;
        Files.write(store, bytes);
        Vault damaged = Fixtures.openVault(dir, PASSWORD.toCharArray(), events, clock);
        FakeConfigurationAdmin broken = new FakeConfigurationAdmin();
        broken.steward = new ConfigurationSteward(broken.proxy(), damaged);
        broken.put("moryflow.provider.openai~groq", "moryflow.provider.openai", Map.of("apiKey", KEY));

        System.err.flush();
        String log = captured.toString(StandardCharsets.UTF_8);
        // the test can fail: the lines it relies on were written
        assertTrue(log, log.contains("Stored the API key of provider groq (fingerprint sha256:"));
        assertTrue(log, log.contains("and removed it from its configuration"));
        assertTrue(log, log.contains("Stored credential hub:gateway.token"));
        assertTrue(log, log.contains("Rotated credential groq"));
        assertTrue(log, log.contains("has been in use for 200 days"));
        assertTrue(log, log.contains("Refused to give credential groq to bundle other.bundle"));
        assertTrue(log, log.contains("does not unlock master.key"));
        assertTrue(log, log.contains("failed its integrity check"));
        assertTrue(log, log.contains("is left as it is: the credential store cannot be used"));
        assertTrue(log, log.contains("Its API key was NOT stored for any provider"));
        assertFalse("a secret leaked into the log:\n" + log, log.contains("LOGCHECK"));
        for (String secret : new String[] {KEY, ROTATED, TOKEN, PASSWORD}) {
            assertFalse(log.contains(secret.substring(secret.length() - 8)));
        }
    }
}
