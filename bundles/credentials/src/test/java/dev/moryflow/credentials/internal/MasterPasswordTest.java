package dev.moryflow.credentials.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

import javax.crypto.SecretKey;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class MasterPasswordTest {

    private static final String SECRET = "sk-ant-secret-value-000111";

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private Path dir;
    private final Fixtures.RecordingEvents events = new Fixtures.RecordingEvents();
    private final Fixtures.MutableClock clock = new Fixtures.MutableClock(Fixtures.T0);

    @Before
    public void setUp() {
        dir = temp.getRoot().toPath().resolve("credentials");
    }

    private Vault open(String password) {
        return Fixtures.openVault(dir, password == null ? null : password.toCharArray(), events, clock);
    }

    @Test
    public void theRightPasswordOpensTheStore() {
        open("correct horse").store("anthropic", SECRET.toCharArray());
        Vault again = open("correct horse");
        assertFalse(again.unavailableReason().isPresent());
        assertArrayEquals(SECRET.toCharArray(), again.secretFor("anthropic", null).orElseThrow());
    }

    @Test
    public void aWrongPasswordIsAClearErrorAndChangesNoFile() throws Exception {
        open("correct horse").store("anthropic", SECRET.toCharArray());
        byte[] key = Files.readAllBytes(dir.resolve(MasterKeyFile.FILE_NAME));
        byte[] store = Files.readAllBytes(dir.resolve(Vault.STORE_FILE));

        Vault vault = open("battery staple");
        String reason = vault.unavailableReason().orElseThrow();
        assertTrue(reason, reason.contains("does not unlock master.key")
                && reason.contains("MORYFLOW_MASTER_PASSWORD"));
        assertFalse(reason, reason.contains("battery"));
        try {
            vault.store("anthropic", "sk-new".toCharArray());
            fail();
        } catch (IllegalStateException expected) {
            assertTrue(expected.getMessage().contains("does not unlock"));
        }
        assertArrayEquals(key, Files.readAllBytes(dir.resolve(MasterKeyFile.FILE_NAME)));
        assertArrayEquals(store, Files.readAllBytes(dir.resolve(Vault.STORE_FILE)));
    }

    @Test
    public void aMissingPasswordSaysWhichVariableToSet() {
        open("correct horse").store("anthropic", SECRET.toCharArray());
        String reason = open(null).unavailableReason().orElseThrow();
        assertTrue(reason, reason.contains("protected by a master password")
                && reason.contains("MORYFLOW_MASTER_PASSWORD is not set"));
    }

    @Test
    public void theKeyFileAloneIsUselessWithAPassword() throws Exception {
        open("correct horse").store("anthropic", SECRET.toCharArray());
        byte[] keyFile = Files.readAllBytes(dir.resolve(MasterKeyFile.FILE_NAME));
        // the plain form is 38 bytes with the raw key at offset 6; the password form wraps it
        assertEquals(86, keyFile.length);
        try {
            MasterKeyFile.decode(keyFile, null);
            fail();
        } catch (StoreFormatException expected) {
            assertTrue(expected.getMessage().contains("MORYFLOW_MASTER_PASSWORD"));
        }
    }

    @Test
    public void aPlainKeyFileIsWrappedOnceAPasswordIsSet() throws Exception {
        open(null).store("anthropic", SECRET.toCharArray());
        assertEquals(38, Files.size(dir.resolve(MasterKeyFile.FILE_NAME)));

        Vault withPassword = open("correct horse");
        assertFalse(withPassword.unavailableReason().isPresent());
        assertArrayEquals(SECRET.toCharArray(), withPassword.secretFor("anthropic", null).orElseThrow());
        assertEquals(86, Files.size(dir.resolve(MasterKeyFile.FILE_NAME)));
        assertTrue(open(null).unavailableReason().isPresent());
    }

    @Test
    public void aChangedSaltOrIterationCountFailsLikeAWrongPassword() throws Exception {
        SecureRandom random = new SecureRandom();
        SecretKey key = MasterKeyFile.generate(random);
        byte[] file = MasterKeyFile.encode(key, "pw".toCharArray(), random);
        byte[] changedSalt = file.clone();
        changedSalt[12] ^= 1;
        try {
            MasterKeyFile.decode(changedSalt, "pw".toCharArray());
            fail();
        } catch (StoreFormatException expected) {
            assertTrue(expected.getMessage().contains("does not unlock"));
        }
        assertArrayEquals(key.getEncoded(), MasterKeyFile.decode(file, "pw".toCharArray()).key.getEncoded());
    }

    @Test
    public void aDamagedKeyFileIsReported() throws Exception {
        open(null).store("anthropic", SECRET.toCharArray());
        Path keyPath = dir.resolve(MasterKeyFile.FILE_NAME);
        Files.write(keyPath, java.util.Arrays.copyOf(Files.readAllBytes(keyPath), 20));
        String reason = open(null).unavailableReason().orElseThrow();
        assertTrue(reason, reason.contains("master.key is damaged"));
    }

    @Test
    public void iterationsMeetTheMinimum() {
        assertTrue(MasterKeyFile.ITERATIONS >= 210_000);
    }
}
