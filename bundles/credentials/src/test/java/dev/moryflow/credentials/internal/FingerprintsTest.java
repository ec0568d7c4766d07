package dev.moryflow.credentials.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

public class FingerprintsTest {

    @Test
    public void fingerprintIsShortPrefixedHexAndStable() {
        String fingerprint = Fingerprints.of("sk-test-1234567890".toCharArray());
        assertTrue(fingerprint, fingerprint.matches("sha256:[0-9a-f]{8}"));
        assertEquals(fingerprint, Fingerprints.of("sk-test-1234567890".toCharArray()));
    }

    @Test
    public void differentSecretsHaveDifferentFingerprints() {
        assertNotEquals(Fingerprints.of("sk-one".toCharArray()), Fingerprints.of("sk-two".toCharArray()));
    }

    @Test
    public void fingerprintIsNotThePlainHashOfTheSecret() {
        // a fixed prefix is hashed too: the fingerprint is not a lookup key into plain SHA-256 tables
        // sha256("abc") starts with ba7816bf
        assertFalse(Fingerprints.of("abc".toCharArray()).endsWith("ba7816bf"));
    }

    @Test
    public void fingerprintingLeavesTheSecretUnchanged() {
        char[] secret = "sk-keep".toCharArray();
        Fingerprints.of(secret);
        assertEquals("sk-keep", new String(secret));
    }
}
