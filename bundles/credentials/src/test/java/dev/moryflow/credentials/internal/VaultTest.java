package dev.moryflow.credentials.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.junit.Assume.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import dev.moryflow.credentials.CredentialMetadata;
import dev.moryflow.events.EventProperties;
import dev.moryflow.events.Topics;

public class VaultTest {

    private static final String SECRET = "sk-live-0123456789abcdefXYZ";

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private Path dir;
    private final Fixtures.RecordingEvents events = new Fixtures.RecordingEvents();
    private final Fixtures.MutableClock clock = new Fixtures.MutableClock(Fixtures.T0);

    @Before
    public void setUp() {
        dir = temp.getRoot().toPath().resolve("data").resolve("credentials");
    }

    private Vault open() {
        return Fixtures.openVault(dir, null, events, clock);
    }

    @Test
    public void heldChangesAreInUseAtOnceAndOnDiskAfterFlush() {
        Vault vault = open();
        vault.store("first", SECRET.toCharArray());
        vault.holdingWrites(() -> {
            vault.store("a", "sk-a-0123456789".toCharArray());
            vault.store("b", "sk-b-0123456789".toCharArray());
            assertArrayEquals("the burst's changes are in memory at once", "sk-a-0123456789".toCharArray(),
                    vault.secretFor("a", null).orElseThrow());
            assertFalse("a held change is not written before the flush", open().metadata("a").isPresent());
        });
        assertFalse(open().metadata("a").isPresent());
        assertTrue(vault.holdsWrites());
        assertTrue(vault.flush());
        assertFalse("nothing more to write", vault.flush());
        Vault again = open();
        assertArrayEquals("sk-a-0123456789".toCharArray(), again.secretFor("a", null).orElseThrow());
        assertArrayEquals("sk-b-0123456789".toCharArray(), again.secretFor("b", null).orElseThrow());
        assertArrayEquals(SECRET.toCharArray(), again.secretFor("first", null).orElseThrow());
    }

    @Test
    public void anotherThreadsChangeIsWrittenAtOnceWithWhatIsHeldBack() {
        Vault vault = open();
        vault.holdingWrites(() -> {
            vault.store("a", "sk-a-0123456789".toCharArray());
            Thread other = new Thread(() -> vault.store("console", "sk-console-0123456789".toCharArray()));
            other.start();
            try {
                other.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            assertTrue("another thread's key is on disk when its call returns",
                    open().metadata("console").isPresent());
        });
        assertTrue("what was held back went with it", open().metadata("a").isPresent());
        assertFalse(vault.holdsWrites());
    }

    @Test
    public void storedSecretsSurviveAReopen() {
        Vault vault = open();
        vault.store("groq", SECRET.toCharArray());
        vault.store("openai", "sk-other".toCharArray());

        Vault again = open();
        assertFalse(again.unavailableReason().isPresent());
        assertArrayEquals(SECRET.toCharArray(), again.secretFor("groq", null).orElseThrow());
        assertEquals(List.of("groq", "openai"), again.list().stream().map(CredentialMetadata::id).toList());
        assertEquals(Fixtures.T0, again.metadata("groq").orElseThrow().created());
    }

    @Test
    public void theStoreFileDoesNotContainTheSecret() throws Exception {
        open().store("groq", SECRET.toCharArray());
        byte[] file = Files.readAllBytes(dir.resolve(Vault.STORE_FILE));
        assertFalse(StoreFormatTest.contains(file, SECRET.getBytes(StandardCharsets.UTF_8)));
        assertFalse(StoreFormatTest.contains(file, SECRET.getBytes(StandardCharsets.UTF_16BE)));
        assertFalse(StoreFormatTest.contains(file, SECRET.getBytes(StandardCharsets.UTF_16LE)));
    }

    @Test
    public void aTamperedStoreIsRefusedAndNotOverwritten() throws Exception {
        open().store("groq", SECRET.toCharArray());
        Path store = dir.resolve(Vault.STORE_FILE);
        byte[] tampered = Files.readAllBytes(store);
        tampered[tampered.length - 20] ^= 0x40;
        Files.write(store, tampered);

        Vault vault = open();
        String reason = vault.unavailableReason().orElseThrow();
        assertTrue(reason, reason.contains("integrity check") && reason.contains("To recover"));
        try {
            vault.store("openai", "sk-new".toCharArray());
            fail("a damaged store must refuse writes");
        } catch (IllegalStateException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("integrity check"));
        }
        expectRefused(() -> vault.secretFor("groq", null));
        expectRefused(vault::list);
        expectRefused(() -> vault.delete("groq"));
        assertArrayEquals(tampered, Files.readAllBytes(store));
    }

    @Test
    public void aTruncatedStoreIsRefusedAndKept() throws Exception {
        open().store("groq", SECRET.toCharArray());
        Path store = dir.resolve(Vault.STORE_FILE);
        byte[] whole = Files.readAllBytes(store);
        byte[] truncated = java.util.Arrays.copyOf(whole, whole.length / 2);
        Files.write(store, truncated);

        Vault vault = open();
        assertTrue(vault.unavailableReason().isPresent());
        expectRefused(() -> vault.store("groq", "x".toCharArray()));
        assertArrayEquals(truncated, Files.readAllBytes(store));
    }

    @Test
    public void aLeftoverTempFileFromACrashDoesNotBreakLoading() throws Exception {
        open().store("groq", SECRET.toCharArray());
        // a crash after the temporary file was written, before the rename
        Path leftover = dir.resolve("." + Vault.STORE_FILE + ".123456789" + SecureFiles.TEMP_SUFFIX);
        Files.write(leftover, new byte[] {'M', 'F', 'C', 'S', 1, 9, 9});
        Path leftoverKey = dir.resolve("." + MasterKeyFile.FILE_NAME + ".42" + SecureFiles.TEMP_SUFFIX);
        Files.write(leftoverKey, new byte[] {1});

        Vault vault = open();
        assertFalse(vault.unavailableReason().orElse(""), vault.unavailableReason().isPresent());
        assertArrayEquals(SECRET.toCharArray(), vault.secretFor("groq", null).orElseThrow());
        assertFalse(Files.exists(leftover));
        assertFalse(Files.exists(leftoverKey));
    }

    @Test
    public void noTempFileRemainsAfterWrites() throws Exception {
        Vault vault = open();
        vault.store("groq", SECRET.toCharArray());
        vault.rotate("groq", "sk-2".toCharArray());
        vault.delete("groq");
        try (var files = Files.list(dir)) {
            assertEquals(List.of(Vault.STORE_FILE, MasterKeyFile.FILE_NAME),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    public void aMissingMasterKeyWithAnExistingStoreIsRefusedWithoutMakingANewKey() throws Exception {
        open().store("groq", SECRET.toCharArray());
        Files.delete(dir.resolve(MasterKeyFile.FILE_NAME));
        byte[] before = Files.readAllBytes(dir.resolve(Vault.STORE_FILE));

        Vault vault = open();
        String reason = vault.unavailableReason().orElseThrow();
        assertTrue(reason, reason.contains("master.key is missing"));
        assertFalse(Files.exists(dir.resolve(MasterKeyFile.FILE_NAME)));
        assertArrayEquals(before, Files.readAllBytes(dir.resolve(Vault.STORE_FILE)));
    }

    @Test
    public void createdFolderAndFilesAreOwnerOnly() throws Exception {
        Vault vault = open();
        assumeTrue("POSIX file system", new SecureFiles(dir).isPosix());
        vault.store("groq", SECRET.toCharArray());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve(MasterKeyFile.FILE_NAME))));
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve(Vault.STORE_FILE))));
    }

    @Test
    public void widerPermissionsAreTightenedOnOpen() throws Exception {
        open().store("groq", SECRET.toCharArray());
        assumeTrue("POSIX file system", new SecureFiles(dir).isPosix());
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(dir.resolve(MasterKeyFile.FILE_NAME),
                PosixFilePermissions.fromString("rw-r--r--"));
        open();
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve(MasterKeyFile.FILE_NAME))));
    }

    @Test
    public void firstStorePostsStoredWithFingerprintOnly() {
        CredentialMetadata stored = open().store("groq", SECRET.toCharArray());
        List<Fixtures.Posted> posted = events.withTopic(Topics.CREDENTIAL_STORED);
        assertEquals(1, posted.size());
        assertEquals(Map.of(EventProperties.PROVIDER_ID, "groq", EventProperties.FINGERPRINT, stored.fingerprint()),
                posted.get(0).properties);
    }

    @Test
    public void rotationKeepsHistoryNewestFirstAndPostsRotated() {
        Vault vault = open();
        String first = vault.store("groq", "sk-1".toCharArray()).fingerprint();
        clock.advance(Duration.ofDays(1));
        String second = vault.rotate("groq", "sk-2".toCharArray()).fingerprint();
        clock.advance(Duration.ofDays(1));
        CredentialMetadata third = vault.store("groq", "sk-3".toCharArray());

        assertEquals(List.of(second, first), third.previousFingerprints());
        assertEquals(Fixtures.T0, third.created());
        assertEquals(Fixtures.T0.plus(Duration.ofDays(2)), third.rotated());
        List<Fixtures.Posted> rotated = events.withTopic(Topics.CREDENTIAL_ROTATED);
        assertEquals(2, rotated.size());
        assertEquals(Map.of(EventProperties.PROVIDER_ID, "groq", EventProperties.FINGERPRINT, third.fingerprint(),
                EventProperties.PREVIOUS_FINGERPRINT, second), rotated.get(1).properties);
        assertArrayEquals("sk-3".toCharArray(), open().secretFor("groq", null).orElseThrow());
        assertEquals(List.of(second, first), open().metadata("groq").orElseThrow().previousFingerprints());
    }

    @Test
    public void historyKeepsTheTenNewestFingerprints() {
        Vault vault = open();
        for (int i = 0; i < 15; i++) {
            vault.store("groq", ("sk-" + i).toCharArray());
        }
        List<String> history = vault.metadata("groq").orElseThrow().previousFingerprints();
        assertEquals(CredentialRecord.HISTORY_SIZE, history.size());
        assertEquals(Fingerprints.of("sk-13".toCharArray()), history.get(0));
        assertEquals(Fingerprints.of("sk-4".toCharArray()), history.get(9));
    }

    @Test
    public void storingTheSameSecretAgainChangesNothing() {
        Vault vault = open();
        vault.store("groq", SECRET.toCharArray());
        clock.advance(Duration.ofDays(3));
        CredentialMetadata again = vault.store("groq", SECRET.toCharArray());
        assertNull(again.rotated());
        assertEquals(1, events.posted.size());
    }

    @Test
    public void rotatingAnUnknownIdSaysToStoreFirst() {
        try {
            open().rotate("groq", "sk".toCharArray());
            fail();
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("'groq'")
                    && expected.getMessage().contains("store it first"));
        }
    }

    @Test
    public void badInputNamesTheFieldAndTheFix() {
        Vault vault = open();
        try {
            vault.store("has space", "sk".toCharArray());
            fail();
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("credential id 'has space'"));
        }
        try {
            vault.store("groq", new char[0]);
            fail();
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("secret of credential 'groq' is empty"));
        }
    }

    @Test
    public void deletePostsDeletedAndForgetsTheSecret() {
        Vault vault = open();
        String fingerprint = vault.store("groq", SECRET.toCharArray()).fingerprint();
        assertTrue(vault.delete("groq"));
        assertFalse(vault.delete("groq"));
        assertEquals(Map.of(EventProperties.PROVIDER_ID, "groq", EventProperties.FINGERPRINT, fingerprint),
                events.withTopic(Topics.CREDENTIAL_DELETED).get(0).properties);
        assertFalse(open().secretFor("groq", null).isPresent());
    }

    @Test
    public void verifyComparesWithoutRevealing() {
        Vault vault = open();
        vault.store("groq", SECRET.toCharArray());
        assertTrue(vault.verify("groq", SECRET.toCharArray()));
        assertFalse(vault.verify("groq", (SECRET + "x").toCharArray()));
        assertFalse(vault.verify("groq", "sk".toCharArray()));
        assertFalse(vault.verify("other", SECRET.toCharArray()));
        assertFalse(vault.verify("groq", null));
    }

    @Test
    public void readReturnsACopyTheCallerMayWipe() {
        Vault vault = open();
        vault.store("groq", SECRET.toCharArray());
        char[] copy = vault.secretFor("groq", null).orElseThrow();
        java.util.Arrays.fill(copy, '\0');
        assertArrayEquals(SECRET.toCharArray(), vault.secretFor("groq", null).orElseThrow());
    }

    @Test
    public void oldKeysArePostedAsExpiringAtOpenAndOncePerDay() {
        open().store("groq", SECRET.toCharArray());
        clock.advance(Duration.ofDays(91));
        events.posted.clear();
        Vault vault = open();
        assertEquals(1, vault.checkExpiring());
        Fixtures.Posted expiring = events.withTopic(Topics.CREDENTIAL_EXPIRING).get(0);
        assertEquals("groq", expiring.properties.get(EventProperties.PROVIDER_ID));
        assertEquals(91L, expiring.properties.get(EventProperties.AGE_DAYS));

        vault.list();
        assertEquals("not again within the day", 1, events.withTopic(Topics.CREDENTIAL_EXPIRING).size());
        clock.advance(Duration.ofDays(1));
        vault.list();
        assertEquals(2, events.withTopic(Topics.CREDENTIAL_EXPIRING).size());
    }

    @Test
    public void youngKeysAreNotExpiring() {
        Vault vault = open();
        vault.store("groq", SECRET.toCharArray());
        clock.advance(Duration.ofDays(89));
        assertEquals(0, vault.checkExpiring());
    }

    @Test
    public void noEventCarriesTheSecret() {
        Vault vault = open();
        vault.store("groq", SECRET.toCharArray());
        vault.rotate("groq", (SECRET + "2").toCharArray());
        clock.advance(Duration.ofDays(400));
        vault.checkExpiring();
        vault.delete("groq");
        assertEquals(4, events.posted.size());
        for (Fixtures.Posted posted : events.posted) {
            for (Object value : posted.properties.values()) {
                assertFalse(posted.toString(), String.valueOf(value).contains("sk-live"));
            }
        }
    }

    @Test
    public void concurrentStoresAreSerializedAndAllKept() throws Exception {
        Vault vault = open();
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            int n = t;
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 10; i++) {
                    vault.store("p" + n + "-" + i, ("sk-" + n + "-" + i).toCharArray());
                }
            });
            threads[t].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(40, vault.list().size());
        assertEquals(40, open().list().size());
    }

    private static void expectRefused(Runnable call) {
        try {
            call.run();
            fail("expected the unavailable store to refuse");
        } catch (IllegalStateException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().startsWith("the credential store cannot be used"));
        }
    }
}
