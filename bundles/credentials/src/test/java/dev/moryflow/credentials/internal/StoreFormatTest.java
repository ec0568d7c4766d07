package dev.moryflow.credentials.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;

import javax.crypto.SecretKey;

import org.junit.Test;

public class StoreFormatTest {

    private static final String SECRET_A = "sk-proj-AAAAbbbbCCCCdddd1234";
    private static final String SECRET_B = "gsk_ünïcødé-€-secret-5678";

    private final SecureRandom random = new SecureRandom();
    private final SecretKey key = MasterKeyFile.generate(random);

    private List<CredentialRecord> sample() {
        CredentialRecord a = CredentialRecord.first("groq", SECRET_A.toCharArray(), Fixtures.T0,
                "moryflow.provider.openai~groq", "https://api.groq.com");
        CredentialRecord b = CredentialRecord.first("openai", "old".toCharArray(), Fixtures.T0, null, null)
                .rotatedTo(SECRET_B.toCharArray(), Fixtures.T0.plusSeconds(3600).plusNanos(123), null, null);
        return List.of(a, b);
    }

    @Test
    public void encryptThenDecryptGivesBackEverySecretAndItsMetadata() throws Exception {
        List<CredentialRecord> records = sample();
        List<CredentialRecord> back = StoreFormat.decrypt(StoreFormat.encrypt(records, key, random), key, "f");
        assertEquals(2, back.size());
        for (int i = 0; i < 2; i++) {
            CredentialRecord in = records.get(i);
            CredentialRecord out = back.get(i);
            assertEquals(in.id(), out.id());
            assertArrayEquals(in.secretCopy(), out.secretCopy());
            assertEquals(in.metadata().created(), out.metadata().created());
            assertEquals(in.metadata().rotated(), out.metadata().rotated());
            assertEquals(in.metadata().fingerprint(), out.metadata().fingerprint());
            assertEquals(in.metadata().previousFingerprints(), out.metadata().previousFingerprints());
        }
        assertNull(back.get(0).metadata().rotated());
        assertEquals(List.of(Fingerprints.of("old".toCharArray())), back.get(1).metadata().previousFingerprints());
    }

    @Test
    public void fileHoldsNoSecretInClearInUtf8OrUtf16() throws Exception {
        byte[] file = StoreFormat.encrypt(sample(), key, random);
        for (String secret : new String[] {SECRET_A, SECRET_B}) {
            for (java.nio.charset.Charset charset : new java.nio.charset.Charset[] {StandardCharsets.UTF_8,
                    StandardCharsets.UTF_16BE, StandardCharsets.UTF_16LE}) {
                assertFalse(secret + " in " + charset, contains(file, secret.getBytes(charset)));
                // also no longer fragment of it
                assertFalse(contains(file, secret.substring(0, 8).getBytes(charset)));
            }
        }
        assertFalse(contains(file, "groq".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    public void everyWriteUsesAFreshIv() throws Exception {
        byte[] one = StoreFormat.encrypt(sample(), key, random);
        byte[] two = StoreFormat.encrypt(sample(), key, random);
        assertFalse(Arrays.equals(Arrays.copyOfRange(one, 5, 17), Arrays.copyOfRange(two, 5, 17)));
    }

    @Test
    public void aChangedByteAnywhereIsDetected() throws Exception {
        byte[] file = StoreFormat.encrypt(sample(), key, random);
        for (int i = 0; i < file.length; i++) {
            byte[] tampered = file.clone();
            tampered[i] ^= 0x01;
            try {
                StoreFormat.decrypt(tampered, key, "credentials.store");
                fail("byte " + i + " changed but not detected");
            } catch (StoreFormatException expected) {
                assertTrue(expected.getMessage(), expected.getMessage().contains("credentials.store"));
            }
        }
    }

    @Test
    public void aTruncatedFileIsDetectedAtEveryLength() throws Exception {
        byte[] file = StoreFormat.encrypt(sample(), key, random);
        for (int length = 0; length < file.length; length++) {
            try {
                StoreFormat.decrypt(Arrays.copyOf(file, length), key, "credentials.store");
                fail("truncated to " + length + " bytes but not detected");
            } catch (StoreFormatException expected) {
                assertTrue(expected.getMessage(), expected.getMessage().contains("To recover"));
            }
        }
    }

    @Test
    public void aTruncatedFileIsCalledTruncated() throws Exception {
        try {
            StoreFormat.decrypt(Arrays.copyOf(StoreFormat.encrypt(sample(), key, random), 10), key, "x");
            fail();
        } catch (StoreFormatException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("truncated"));
        }
    }

    @Test
    public void anotherKeyCannotDecrypt() throws Exception {
        byte[] file = StoreFormat.encrypt(sample(), key, random);
        try {
            StoreFormat.decrypt(file, MasterKeyFile.generate(random), "x");
            fail();
        } catch (StoreFormatException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("integrity check"));
        }
    }

    @Test
    public void anEmptyStoreRoundTrips() throws Exception {
        assertEquals(0, StoreFormat.decrypt(StoreFormat.encrypt(List.of(), key, random), key, "x").size());
    }

    static boolean contains(byte[] haystack, byte[] needle) {
        outer: for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
