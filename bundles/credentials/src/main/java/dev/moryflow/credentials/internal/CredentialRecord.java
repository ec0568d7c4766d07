package dev.moryflow.credentials.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import dev.moryflow.credentials.CredentialMetadata;

/**
 * One stored credential, immutable: the secret (as {@code char[]}, never exposed, only copied out), its metadata, and
 * what a provider key is bound to: the configuration that owns it and the origin it was stored for (both null for a
 * hub secret; the origin null until the first use when the configuration had no base URL).
 * {@link #toString()} never shows the secret.
 */
final class CredentialRecord {

    /** How many earlier fingerprints are kept, newest first. */
    static final int HISTORY_SIZE = 10;

    private final char[] secret;
    private final CredentialMetadata metadata;
    private final String owner;
    private final String origin;

    CredentialRecord(String id, char[] secret, Instant created, Instant rotated, String fingerprint,
            List<String> previousFingerprints, String owner, String origin) {
        this.secret = Objects.requireNonNull(secret, "secret").clone();
        this.owner = owner;
        this.origin = origin;
        this.metadata = new CredentialMetadata(id, created, rotated, fingerprint, previousFingerprints, owner, origin,
                null);
    }

    /** A first secret under {@code id}. */
    static CredentialRecord first(String id, char[] secret, Instant now, String owner, String origin) {
        return new CredentialRecord(id, secret, now, null, Fingerprints.of(secret), List.of(), owner, origin);
    }

    /** This record with a new secret and binding: the current fingerprint moves to the head of the history. */
    CredentialRecord rotatedTo(char[] newSecret, Instant now, String newOwner, String newOrigin) {
        List<String> history = new ArrayList<>(HISTORY_SIZE);
        history.add(metadata.fingerprint());
        for (String previous : metadata.previousFingerprints()) {
            if (history.size() == HISTORY_SIZE) {
                break;
            }
            history.add(previous);
        }
        return new CredentialRecord(metadata.id(), newSecret, metadata.created(), now, Fingerprints.of(newSecret),
                history, newOwner, newOrigin);
    }

    /** This record, the same secret, bound to another configuration or origin. */
    CredentialRecord boundTo(String newOwner, String newOrigin) {
        return new CredentialRecord(metadata.id(), secret, metadata.created(), metadata.rotated(),
                metadata.fingerprint(), metadata.previousFingerprints(), newOwner, newOrigin);
    }

    /** This record under another id (a migration of names). */
    CredentialRecord renamed(String newId) {
        return new CredentialRecord(newId, secret, metadata.created(), metadata.rotated(), metadata.fingerprint(),
                metadata.previousFingerprints(), owner, origin);
    }

    String id() {
        return metadata.id();
    }

    /** @return the PID of the configuration the key belongs to, or null */
    String owner() {
        return owner;
    }

    /** @return the origin the key was stored for, or null while unbound */
    String origin() {
        return origin;
    }

    CredentialMetadata metadata() {
        return metadata;
    }

    /** @return the metadata, saying the key is held because its provider moved to {@code movedTo} (may be null) */
    CredentialMetadata metadata(String movedTo) {
        if (movedTo == null) {
            return metadata;
        }
        return new CredentialMetadata(metadata.id(), metadata.created(), metadata.rotated(), metadata.fingerprint(),
                metadata.previousFingerprints(), owner, origin, movedTo);
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
