package dev.moryflow.credentials;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The only place the hub stores secrets. Registered as a service factory: each bundle gets its own view, and what it
 * may do depends on who it is.
 * <p>
 * <b>A provider key belongs to one provider id, one configuration and one origin.</b> It is stored for the named
 * provider configuration that owns the id ({@code moryflow.provider.openai~groq}) and for the origin (scheme, host,
 * port, see {@link Origins}) of that configuration's base URL at the time. It is deleted with that configuration.
 * When the base URL moves to another origin the key is <em>held</em>: {@link #read} refuses it with a
 * {@link KeyHeldException} (and {@code moryflow/credential/HELD} is posted) until the user stores the key again or
 * {@linkplain #confirmMove confirms the move}. A move within one origin (a path change) needs nothing.
 * <p>
 * <b>Hub secrets</b> (the gateway token) live in a namespace of their own: their names start with {@code hub:},
 * which no provider id can contain.
 * <ul>
 * <li>Any bundle may store, rotate and delete a secret, confirm a move, and read every secret's
 * {@link CredentialMetadata}.</li>
 * <li>A bundle may {@link #read} only the key of a provider whose {@code ProviderService} it registered itself,
 * first, from the configuration the key belongs to; nobody reads a hub secret: {@link #verify} compares without
 * revealing.</li>
 * </ul>
 * Secrets are encrypted at rest and never logged. Methods taking a {@code char[]} copy it; the caller may wipe its
 * array afterwards.
 */
@ProviderType
public interface CredentialStore {

    /** Prefix of the names of hub secrets. */
    String HUB_PREFIX = "hub:";
    /** Name of the gateway's access token, a hub secret. */
    String GATEWAY_TOKEN = HUB_PREFIX + "gateway.token";

    /**
     * Stores a secret, replacing any earlier one (then counted as a rotation: the earlier fingerprint is kept in the
     * history). A provider key is bound to the provider's configuration and the origin of its base URL now, which
     * also releases a held key. Posts {@code moryflow/credential/STORED} or {@code ROTATED}.
     *
     * @param id     a provider id, or a hub secret's name ({@link #GATEWAY_TOKEN})
     * @param secret the secret, not empty
     * @return the metadata of the stored secret
     * @throws IllegalArgumentException when the id is not a valid provider id or hub secret name, no provider
     *                                  configuration has that id, or the secret is empty
     * @throws IllegalStateException    when the store cannot be written; nothing changed then
     */
    CredentialMetadata store(String id, char[] secret);

    /**
     * Replaces an existing secret, as {@link #store} does. Posts {@code moryflow/credential/ROTATED}.
     *
     * @param id     the credential id
     * @param secret the new secret, not empty
     * @return the new metadata
     * @throws IllegalArgumentException when no secret is stored under that id, or the new secret is empty
     * @throws IllegalStateException    when the store cannot be written; nothing changed then
     */
    CredentialMetadata rotate(String id, char[] secret);

    /**
     * Deletes a secret and its history. Posts {@code moryflow/credential/DELETED} when there was one.
     *
     * @param id the credential id
     * @return whether a secret was deleted
     */
    boolean delete(String id);

    /**
     * The user's word that a held key may follow its provider to the origin its base URL moved to.
     *
     * @param id the provider id
     * @return the metadata, now bound to the new origin
     * @throws IllegalArgumentException when no key is stored for that provider, or it is not held
     * @throws IllegalStateException    when the store cannot be written; nothing changed then
     * @since 2.0
     */
    CredentialMetadata confirmMove(String id);

    /**
     * Reads a provider's key to send it to {@code origin}. Allowed only to the bundle that registered the
     * {@code ProviderService} with that {@code provider.id} first, from the configuration the key belongs to. The
     * caller should wipe the returned array when done.
     *
     * @param id     the provider id
     * @param origin the origin the key is about to be sent to ({@link Origins#of} of the request's URL)
     * @return a fresh copy of the key, or empty when none is stored
     * @throws KeyHeldException          when the key was stored for another origin and the user has not confirmed
     *                                   the move
     * @throws CredentialAccessException when the calling bundle may not read it
     * @since 2.0
     */
    Optional<char[]> read(String id, String origin) throws CredentialAccessException;

    /**
     * A provider is about to send a key that is not in the store (from the environment variable its configuration
     * names, {@code apiKeyEnv}) to {@code origin}. The same rule as for a stored key: the first use binds the
     * provider's outside key to that origin (for the configuration that owns the id); another origin later is held
     * ({@code moryflow/credential/HELD}) until the user confirms the move ({@link #confirmMove}) — storing a key
     * instead also ends it, since a stored key comes first. Allowed to the same bundle as {@link #read}.
     *
     * @param id     the provider id
     * @param origin the origin the key is about to be sent to
     * @throws KeyHeldException          when the provider's outside key was bound to another origin
     * @throws CredentialAccessException when the calling bundle may not send that provider's key
     * @since 2.0
     */
    void admitExternal(String id, String origin) throws CredentialAccessException;

    /**
     * @param id a provider id
     * @return where the provider's outside key (see {@link #admitExternal}) is bound to and whether it is held, or
     *         empty when it was never used
     * @since 2.0
     */
    Optional<CredentialMetadata> externalBinding(String id);

    /**
     * Compares a candidate with the stored secret in constant time, without revealing it.
     *
     * @param id        the credential id
     * @param candidate the candidate secret
     * @return whether a secret is stored and equals the candidate
     */
    boolean verify(String id, char[] candidate);

    /**
     * @param id the credential id
     * @return the metadata, or empty when none is stored
     */
    Optional<CredentialMetadata> metadata(String id);

    /** @return metadata of every stored provider key and hub secret, ordered by id */
    List<CredentialMetadata> list();
}
