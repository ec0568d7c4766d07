package dev.moryflow.credentials;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What anyone may know about a stored secret: never the secret itself. Immutable.
 */
public final class CredentialMetadata {

    private final String id;
    private final Instant created;
    private final Instant rotated;
    private final String fingerprint;
    private final List<String> previousFingerprints;
    private final String configuration;
    private final String origin;
    private final String movedTo;

    /**
     * @param id                   the credential id (a provider id, or {@code gateway.token})
     * @param created              when the first secret was stored
     * @param rotated              when the secret was last replaced, or null if never
     * @param fingerprint          a short, non-reversible fingerprint of the current secret
     * @param previousFingerprints fingerprints of earlier secrets, newest first
     */
    public CredentialMetadata(String id, Instant created, Instant rotated, String fingerprint,
            List<String> previousFingerprints) {
        this(id, created, rotated, fingerprint, previousFingerprints, null, null, null);
    }

    /**
     * @param id                   the credential id (a provider id, or a hub secret's name such as
     *                             {@link CredentialStore#GATEWAY_TOKEN})
     * @param created              when the first secret was stored
     * @param rotated              when the secret was last replaced, or null if never
     * @param fingerprint          a short, non-reversible fingerprint of the current secret
     * @param previousFingerprints fingerprints of earlier secrets, newest first
     * @param configuration        the PID of the provider configuration the key belongs to, or null
     * @param origin               the origin the key was stored for ({@link Origins}), or null when it is bound at
     *                             its first use
     * @param movedTo              the origin the provider's base URL moved to, when the key is held; else null
     * @since 2.0
     */
    public CredentialMetadata(String id, Instant created, Instant rotated, String fingerprint,
            List<String> previousFingerprints, String configuration, String origin, String movedTo) {
        this.configuration = configuration;
        this.origin = origin;
        this.movedTo = movedTo;
        this.id = Objects.requireNonNull(id, "id");
        this.created = Objects.requireNonNull(created, "created");
        this.rotated = rotated;
        this.fingerprint = Objects.requireNonNull(fingerprint, "fingerprint");
        this.previousFingerprints = previousFingerprints == null ? List.of() : List.copyOf(previousFingerprints);
    }

    /** @return the credential id */
    public String id() {
        return id;
    }

    /** @return when the first secret was stored */
    public Instant created() {
        return created;
    }

    /** @return when the secret was last rotated, or null */
    public Instant rotated() {
        return rotated;
    }

    /** @return when the current secret was set: the last rotation, else creation */
    public Instant since() {
        return rotated == null ? created : rotated;
    }

    /**
     * @param now the current time
     * @return whole days the current secret has been in use
     */
    public long ageDays(Instant now) {
        return Math.max(0, Duration.between(since(), now).toDays());
    }

    /** @return the fingerprint of the current secret */
    public String fingerprint() {
        return fingerprint;
    }

    /** @return fingerprints of earlier secrets, newest first */
    public List<String> previousFingerprints() {
        return previousFingerprints;
    }

    /**
     * @return the PID of the provider configuration this key belongs to, or null (a hub secret)
     * @since 2.0
     */
    public String configuration() {
        return configuration;
    }

    /**
     * @return the origin ({@code https://host[:port]}) the key was stored for and is sent to, or null when it is
     *         bound at its first use
     * @since 2.0
     */
    public String origin() {
        return origin;
    }

    /**
     * @return when the key is held, the origin the provider's base URL moved to (the key is not sent there until the
     *         user confirms, {@link CredentialStore#confirmMove}); else null
     * @since 2.0
     */
    public String movedTo() {
        return movedTo;
    }

    /**
     * @return whether the key is held: its provider now points at another origin
     * @since 2.0
     */
    public boolean held() {
        return movedTo != null;
    }

    @Override
    public String toString() {
        return "Credential[" + id + ", fingerprint " + fingerprint + ", since " + since()
                + (origin == null ? "" : ", for " + origin) + (movedTo == null ? "" : ", held: moved to " + movedTo)
                + "]";
    }
}
