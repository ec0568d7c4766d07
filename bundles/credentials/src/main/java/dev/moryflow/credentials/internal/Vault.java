package dev.moryflow.credentials.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

import javax.crypto.SecretKey;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.moryflow.credentials.CredentialMetadata;
import dev.moryflow.events.EventProperties;
import dev.moryflow.events.Topics;
import dev.moryflow.provider.ProviderIds;

/**
 * The one holder of the credentials of the bundle, shared by every bundle's {@code CredentialStore} view and by key
 * ingestion. No access rules here: callers check them.
 * <p>
 * State is an immutable snapshot (a sorted map of immutable {@link CredentialRecord}s) swapped after each successful
 * write, so readers never lock. Writers are serialized; each write re-encrypts the whole store with a fresh IV and
 * replaces the file atomically, and only then swaps the snapshot, so a failed write changes nothing.
 * <p>
 * When the files cannot be used (damaged or truncated store, missing or damaged key, wrong or missing master
 * password) the vault is <em>unavailable</em>: it logs one ERROR with the reason and the recovery, refuses every
 * operation with that reason, and never writes, so the damaged files stay as they are for the user.
 */
final class Vault {

    static final String STORE_FILE = "credentials.store";
    static final String RECOVERY = "The file is kept unchanged and the credential store writes nothing until this "
            + "is fixed. To recover: restore " + STORE_FILE + " and " + MasterKeyFile.FILE_NAME
            + " together from a backup, or move both files out of the credentials folder and store the keys again "
            + "(put apiKey back into each provider's configuration); then restart the credentials bundle.";

    private static final Duration EXPIRY_CHECK_INTERVAL = Duration.ofDays(1);

    private final Logger logger = LoggerFactory.getLogger(Vault.class);
    private final Path directory;
    private final SecureFiles files;
    private final EventSink events;
    private final Clock clock;
    private final int rotationWarningDays;
    private final SecureRandom random = new SecureRandom();
    private final Object writeLock = new Object();
    private final AtomicReference<Instant> lastExpiryCheck = new AtomicReference<>();

    private char[] password;
    private boolean opened;
    private volatile SortedMap<String, CredentialRecord> records = Collections.emptySortedMap();
    private volatile SecretKey key;
    private volatile String unavailable = "it has not been opened yet";

    /**
     * @param directory           the credentials folder
     * @param password            the master password, or null; copied, and wiped once {@link #open()} is done
     * @param events              where events go
     * @param clock               the time source
     * @param rotationWarningDays age from which a secret is reported as EXPIRING; 0 or less turns that off
     */
    Vault(Path directory, char[] password, EventSink events, Clock clock, int rotationWarningDays) {
        this.directory = directory;
        this.files = new SecureFiles(directory);
        this.password = password == null ? null : password.clone();
        this.events = events;
        this.clock = clock;
        this.rotationWarningDays = rotationWarningDays;
    }

    /**
     * Opens the folder: creates it and a master key on first use, reads the key and the store. On failure the vault
     * is unavailable and says why in the log and in every later call. Call once.
     */
    void open() {
        synchronized (writeLock) {
            if (opened) {
                throw new IllegalStateException("the vault is already open");
            }
            opened = true;
            try {
                files.prepareDirectory();
                files.removeLeftovers(STORE_FILE, MasterKeyFile.FILE_NAME);
                SecretKey masterKey = openKey();
                SortedMap<String, CredentialRecord> loaded = new TreeMap<>();
                Path storePath = directory.resolve(STORE_FILE);
                if (Files.exists(storePath)) {
                    files.restrict(storePath, SecureFiles.OWNER_FILE);
                    for (CredentialRecord record : StoreFormat.decrypt(Files.readAllBytes(storePath), masterKey,
                            storePath.toAbsolutePath().toString())) {
                        loaded.put(record.id(), record);
                    }
                }
                key = masterKey;
                records = Collections.unmodifiableSortedMap(loaded);
                unavailable = null;
                logger.info("Opened the credential store in {}: {} credential(s)", directory.toAbsolutePath(),
                        loaded.size());
            } catch (StoreFormatException e) {
                fail(e.getMessage());
            } catch (IOException e) {
                fail("cannot read or write the folder " + directory.toAbsolutePath() + " (" + e
                        + "). Check that it exists and belongs to the user running MoryFlow, then restart the "
                        + "credentials bundle.");
            } catch (GeneralSecurityException e) {
                fail("this Java runtime lacks AES-GCM or PBKDF2 (" + e.getClass().getSimpleName()
                        + "): run MoryFlow on a standard Java 17 runtime.");
            } finally {
                Secrets.wipe(password);
                password = null;
            }
        }
    }

    private SecretKey openKey() throws IOException, StoreFormatException, GeneralSecurityException {
        Path keyPath = directory.resolve(MasterKeyFile.FILE_NAME);
        if (!Files.exists(keyPath)) {
            if (Files.exists(directory.resolve(STORE_FILE))) {
                throw new StoreFormatException(keyPath.toAbsolutePath() + " is missing but " + STORE_FILE
                        + " exists: the stored keys cannot be decrypted without it, and a new master key would make "
                        + "them unreadable for good. " + RECOVERY);
            }
            SecretKey created = MasterKeyFile.generate(random);
            files.writeAtomically(MasterKeyFile.FILE_NAME, MasterKeyFile.encode(created, password, random));
            if (password != null) {
                logger.info("Created a new master key {}, protected by the password in {}", keyPath.toAbsolutePath(),
                        MasterKeyFile.PASSWORD_ENV);
            } else {
                logger.info("Created a new master key {} (owner-only); set {} to protect it with a password as well",
                        keyPath.toAbsolutePath(), MasterKeyFile.PASSWORD_ENV);
            }
            return created;
        }
        files.restrict(keyPath, SecureFiles.OWNER_FILE);
        MasterKeyFile.Loaded loaded = MasterKeyFile.decode(Files.readAllBytes(keyPath), password);
        if (loaded.needsPasswordWrap) {
            files.writeAtomically(MasterKeyFile.FILE_NAME, MasterKeyFile.encode(loaded.key, password, random));
            logger.info("Protected the master key {} with the password in {}", keyPath.toAbsolutePath(),
                    MasterKeyFile.PASSWORD_ENV);
        }
        return loaded.key;
    }

    private void fail(String reason) {
        unavailable = reason;
        logger.error("The credential store in {} cannot be used: {}", directory.toAbsolutePath(), reason);
    }

    /** @return why the vault refuses to work, or empty when it works */
    Optional<String> unavailableReason() {
        return Optional.ofNullable(unavailable);
    }

    /** @return the credentials folder */
    Path directory() {
        return directory;
    }

    /**
     * Stores a secret; replacing a different one is a rotation. Storing the current secret again changes nothing.
     */
    CredentialMetadata store(String id, char[] secret) {
        return write(id, secret, false);
    }

    /** Replaces an existing secret; the same secret again changes nothing. */
    CredentialMetadata rotate(String id, char[] secret) {
        return write(id, secret, true);
    }

    private CredentialMetadata write(String id, char[] secret, boolean mustExist) {
        checkId(id);
        if (secret == null || secret.length == 0) {
            throw new IllegalArgumentException("the secret of credential '" + id + "' is empty: pass the API key "
                    + "(or token) itself");
        }
        CredentialRecord previous;
        CredentialRecord next;
        synchronized (writeLock) {
            checkAvailable();
            previous = records.get(id);
            if (previous == null && mustExist) {
                throw new IllegalArgumentException("no secret is stored under '" + id
                        + "', so there is nothing to rotate: store it first");
            }
            if (previous != null && previous.secretEquals(secret)) {
                return previous.metadata();
            }
            Instant now = clock.instant();
            next = previous == null ? CredentialRecord.first(id, secret, now) : previous.rotatedTo(secret, now);
            SortedMap<String, CredentialRecord> changed = new TreeMap<>(records);
            changed.put(id, next);
            persist(changed);
        }
        Map<String, Object> properties = new HashMap<>();
        properties.put(EventProperties.PROVIDER_ID, id);
        properties.put(EventProperties.FINGERPRINT, next.metadata().fingerprint());
        if (previous == null) {
            logger.info("Stored credential {} (fingerprint {})", id, next.metadata().fingerprint());
            events.post(Topics.CREDENTIAL_STORED, properties);
        } else {
            properties.put(EventProperties.PREVIOUS_FINGERPRINT, previous.metadata().fingerprint());
            logger.info("Rotated credential {} (fingerprint {}, previously {})", id, next.metadata().fingerprint(),
                    previous.metadata().fingerprint());
            events.post(Topics.CREDENTIAL_ROTATED, properties);
        }
        maybeCheckExpiring();
        return next.metadata();
    }

    /** Deletes a secret and its history. */
    boolean delete(String id) {
        if (id == null) {
            return false;
        }
        CredentialRecord removed;
        synchronized (writeLock) {
            checkAvailable();
            removed = records.get(id);
            if (removed == null) {
                return false;
            }
            SortedMap<String, CredentialRecord> changed = new TreeMap<>(records);
            changed.remove(id);
            persist(changed);
        }
        logger.info("Deleted credential {} (fingerprint {})", id, removed.metadata().fingerprint());
        events.post(Topics.CREDENTIAL_DELETED, Map.of(EventProperties.PROVIDER_ID, id,
                EventProperties.FINGERPRINT, removed.metadata().fingerprint()));
        return true;
    }

    /** @return a fresh copy of the secret, which the caller wipes; no access check here */
    Optional<char[]> secret(String id) {
        checkAvailable();
        CredentialRecord record = id == null ? null : records.get(id);
        return record == null ? Optional.empty() : Optional.of(record.secretCopy());
    }

    boolean verify(String id, char[] candidate) {
        checkAvailable();
        CredentialRecord record = id == null ? null : records.get(id);
        return record != null && candidate != null && record.secretEquals(candidate);
    }

    Optional<CredentialMetadata> metadata(String id) {
        checkAvailable();
        CredentialRecord record = id == null ? null : records.get(id);
        return record == null ? Optional.empty() : Optional.of(record.metadata());
    }

    List<CredentialMetadata> list() {
        checkAvailable();
        maybeCheckExpiring();
        List<CredentialMetadata> all = new ArrayList<>();
        for (CredentialRecord record : records.values()) {
            all.add(record.metadata());
        }
        return List.copyOf(all);
    }

    /**
     * Posts {@code EXPIRING} for every secret in use for at least the rotation warning.
     *
     * @return how many were reported
     */
    int checkExpiring() {
        Instant now = clock.instant();
        lastExpiryCheck.set(now);
        if (rotationWarningDays <= 0 || unavailable != null) {
            return 0;
        }
        int reported = 0;
        for (CredentialRecord record : records.values()) {
            long age = record.metadata().ageDays(now);
            if (age >= rotationWarningDays) {
                reported++;
                logger.warn("The secret of {} (fingerprint {}) has been in use for {} days, the rotation warning is "
                        + "{} days: create a new key at the provider and store it", record.id(),
                        record.metadata().fingerprint(), age, rotationWarningDays);
                events.post(Topics.CREDENTIAL_EXPIRING, Map.of(EventProperties.PROVIDER_ID, record.id(),
                        EventProperties.FINGERPRINT, record.metadata().fingerprint(), EventProperties.AGE_DAYS, age));
            }
        }
        return reported;
    }

    /** Runs {@link #checkExpiring()} when the last check is a day old; no timer thread of its own. */
    void maybeCheckExpiring() {
        Instant last = lastExpiryCheck.get();
        Instant now = clock.instant();
        if ((last == null || !now.isBefore(last.plus(EXPIRY_CHECK_INTERVAL)))
                && lastExpiryCheck.compareAndSet(last, now)) {
            checkExpiring();
        }
    }

    private void persist(SortedMap<String, CredentialRecord> changed) {
        Path storePath = directory.resolve(STORE_FILE).toAbsolutePath();
        try {
            files.writeAtomically(STORE_FILE, StoreFormat.encrypt(changed.values(), key, random));
        } catch (IOException | GeneralSecurityException e) {
            logger.error("Could not write the credential store {}: {}", storePath, e.toString());
            throw new IllegalStateException("could not write the credential store " + storePath + " (" + e
                    + "); nothing was changed. Check free disk space and the folder's permissions.");
        }
        records = Collections.unmodifiableSortedMap(changed);
    }

    private void checkAvailable() {
        String reason = unavailable;
        if (reason != null) {
            throw new IllegalStateException("the credential store cannot be used: " + reason);
        }
    }

    private static void checkId(String id) {
        if (!ProviderIds.isValid(id)) {
            throw new IllegalArgumentException("credential id '" + id + "' is not valid: use a provider id such as "
                    + "'groq' (not blank, without '/', white space or '~')");
        }
    }
}
