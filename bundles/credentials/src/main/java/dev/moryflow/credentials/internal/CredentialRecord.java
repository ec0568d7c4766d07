package dev.moryflow.credentials.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import dev.moryflow.credentials.CredentialMetadata;

/**
 * One stored credential, immutable: the secret (as {@code char[]}, never exposed, only copied out) and its metadata.
 * {@link #toString()} never shows the secret.
 */
final class CredentialRecord {

    /** How many earlier fingerprints are kept, newest first. */
    static final int HISTORY_SIZE = 10;

    private final char[] secret;
    private final CredentialMetadata metadata;

    CredentialRecord(String id, char[] secret, Instant created, Instant rotated, String fingerprint,
            List<String> previousFingerprints) {
        this.secret = Objects.requireNonNull(secret, "secret").clone();
        this.metadata = new CredentialMetadata(id, created, rotated, fingerprint, previousFingerprints);
    }

    /** A first secret under {@code id}. */
    static CredentialRecord first(String id, char[] secret, Instant now) {
        return new CredentialRecord(id, secret, now, null, Fingerprints.of(secret), List.of());
    }

    /** This record with a new secret: the current fingerprint moves to the head of the history. */
    CredentialRecord rotatedTo(char[] newSecret, Instant now) {
        List<String> history = new ArrayList<>(HISTORY_SIZE);
        history.add(metadata.fingerprint());
        for (String previous : metadata.previousFingerprints()) {
            if (history.size() == HISTORY_SIZE) {
                break;
            }
            history.add(previous);
        }
        return new CredentialRecord(metadata.id(), newSecret, metadata.created(), now, Fingerprints.of(newSecret),
                history);
    }

    String id() {
        return metadata.id();
    }

    CredentialMetadata metadata() {
        return metadata;
    }

    /** @return a fresh copy of the secret; the caller wipes it */
    char[] secretCopy() {
        return secret.clone();
    }

    boolean secretEquals(char[] candidate) {
        return Secrets.constantTimeEquals(secret, candidate);
    }

    /** For the store writer only: the secret's characters, not to be kept or changed. */
    char[] secretForWriting() {
        return secret;
    }

    @Override
    public String toString() {
        return metadata.toString();
    }
}
