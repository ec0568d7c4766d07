package dev.moryflow.credentials;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The only place the hub stores secrets. Registered as a service factory: each bundle gets its own view, and what it
 * may do depends on who it is.
 * <ul>
 * <li>Any bundle may store, rotate and delete a secret and read every secret's {@link CredentialMetadata}.</li>
 * <li>A bundle may {@link #read} only the secret of a provider whose {@code ProviderService} it registered itself
 * (service property {@code provider.id} equal to the credential id).</li>
 * <li>Nobody reads a secret back through an admin surface; {@link #verify} compares without revealing.</li>
 * </ul>
 * Secrets are encrypted at rest and never logged. Methods taking a {@code char[]} copy it; the caller may wipe its
 * array afterwards.
 */
@ProviderType
public interface CredentialStore {

    /** Credential id of the gateway's access token. */
    String GATEWAY_TOKEN = "gateway.token";

    /**
     * Stores a secret, replacing any earlier one (then counted as a rotation: the earlier fingerprint is kept in the
     * history). Posts {@code moryflow/credential/STORED} or {@code ROTATED}.
     *
     * @param id     the credential id (a provider id)
     * @param secret the secret, not empty
     * @return the metadata of the stored secret
     * @throws IllegalArgumentException when the id or the secret is empty
     * @throws IllegalStateException    when the store cannot be written; nothing changed then
     */
    CredentialMetadata store(String id, char[] secret);

    /**
     * Replaces an existing secret. Posts {@code moryflow/credential/ROTATED}.
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
     * Reads a secret. Allowed only to the bundle that registered the {@code ProviderService} with that
     * {@code provider.id}. The caller should wipe the returned array when done.
     *
     * @param id the credential id
     * @return a fresh copy of the secret, or empty when none is stored
     * @throws CredentialAccessException when the calling bundle may not read it
     */
    Optional<char[]> read(String id) throws CredentialAccessException;

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

    /** @return metadata of every stored secret, ordered by id */
    List<CredentialMetadata> list();
}
