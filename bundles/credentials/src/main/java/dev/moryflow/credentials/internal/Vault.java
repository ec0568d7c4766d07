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
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import javax.crypto.SecretKey;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.moryflow.credentials.CredentialMetadata;
import dev.moryflow.credentials.CredentialStore;
import dev.moryflow.credentials.KeyHeldException;
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
    /** Names of keys kept for a configuration that does not own a provider id: never readable. */
    static final String PARKED_PREFIX = "parked:";
    /**
     * Names of the bindings of keys kept outside the store (environment variables): owner and origin of a provider's
     * outside key; the "secret" is a fixed marker, never a key.
     */
    static final String EXTERNAL_PREFIX = "external:";
    private static final char[] EXTERNAL_MARKER = "outside-key".toCharArray();
    private static final String LEGACY_GATEWAY_TOKEN = "gateway.token";
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
    /** Provider id to the origin its base URL moved to, for the keys that are held; in memory, found again at start. */
    private final Map<String, String> moved = new ConcurrentHashMap<>();

    /** The thread whose changes are held back from the file, in its {@link #holdingWrites} (guarded by writeLock). */
    private Thread deferring;
    /** Whether changes held back are not on disk yet (guarded by writeLock). */
    private boolean pending;
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
                migrateNames(loaded);
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

    /** Version 1 kept the gateway token under {@code gateway.token}, a name a provider id could take. */
    private void migrateNames(SortedMap<String, CredentialRecord> loaded) {
        CredentialRecord legacy = loaded.get(LEGACY_GATEWAY_TOKEN);
        if (legacy == null) {
            return;
        }
        SortedMap<String, CredentialRecord> changed = new TreeMap<>(loaded);
        changed.remove(LEGACY_GATEWAY_TOKEN);
        changed.putIfAbsent(CredentialStore.GATEWAY_TOKEN, legacy.renamed(CredentialStore.GATEWAY_TOKEN));
        persist(changed);
        logger.info("Moved the gateway token into the hub's own namespace ({})", CredentialStore.GATEWAY_TOKEN);
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
     * Stores a secret with no binding (a hub secret); replacing a different one is a rotation. Storing the current
     * secret again changes nothing.
     */
    CredentialMetadata store(String id, char[] secret) {
        return write(id, secret, false, null, null);
    }

    /**
     * Stores a provider key for the configuration {@code owner} and the origin {@code origin} (null: bound at its
     * first use), which releases a held key. A key of another configuration under the same id is replaced, not
     * rotated: the new owner does not inherit its history.
     */
    CredentialMetadata store(String id, char[] secret, String owner, String origin) {
        return write(id, secret, false, owner, origin);
    }

    /** Replaces an existing secret, keeping its binding; the same secret again changes nothing. */
    CredentialMetadata rotate(String id, char[] secret) {
        CredentialRecord current = records.get(id);
        return write(id, secret, true, current == null ? null : current.owner(),
                current == null ? null : current.origin());
    }

    /** Replaces an existing provider key and binds it anew. */
    CredentialMetadata rotate(String id, char[] secret, String owner, String origin) {
        return write(id, secret, true, owner, origin);
    }

    private CredentialMetadata write(String id, char[] secret, boolean mustExist, String owner, String origin) {
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
            if (previous != null && previous.owner() != null && owner != null && !previous.owner().equals(owner)) {
                previous = null; // another configuration's key: replaced, not inherited
            }
            boolean sameBinding = previous != null && Objects.equals(previous.owner(), owner)
                    && Objects.equals(previous.origin(), origin);
            if (previous != null && previous.secretEquals(secret)) {
                if (!sameBinding) {
                    persist(put(previous.boundTo(owner, origin)));
                    logger.info("Credential {} (fingerprint {}) is now bound to {}", id,
                            previous.metadata().fingerprint(), origin == null ? "its first use" : origin);
                }
                moved.remove(id);
                return previous.metadata();
            }
            Instant now = clock.instant();
            next = previous == null ? CredentialRecord.first(id, secret, now, owner, origin)
                    : previous.rotatedTo(secret, now, owner, origin);
            persist(put(next));
            moved.remove(id);
        }
        Map<String, Object> properties = new HashMap<>();
        properties.put(EventProperties.PROVIDER_ID, id);
        properties.put(EventProperties.FINGERPRINT, next.metadata().fingerprint());
        if (previous == null) {
            logger.info("Stored credential {} (fingerprint {}{})", id, next.metadata().fingerprint(),
                    origin == null ? "" : ", for " + origin);
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

    private SortedMap<String, CredentialRecord> put(CredentialRecord record) {
        SortedMap<String, CredentialRecord> changed = new TreeMap<>(records);
        changed.put(record.id(), record);
        return changed;
    }

    /**
     * Keeps the key of a configuration that does not own a provider id (refused, or not a provider at all), so it is
     * neither lost nor used: readable by nobody, deleted with the configuration, made the provider's key when the
     * configuration is fixed ({@link #unpark}).
     */
    void park(String configurationPid, char[] secret) {
        String id = PARKED_PREFIX + configurationPid;
        synchronized (writeLock) {
            checkAvailable();
            CredentialRecord previous = records.get(id);
            if (previous != null && previous.secretEquals(secret)) {
                return;
            }
            persist(put(CredentialRecord.first(id, secret, clock.instant(), configurationPid, null)));
        }
    }

    /** @return whether a key is parked for that configuration */
    boolean isParked(String configurationPid) {
        return records.containsKey(PARKED_PREFIX + configurationPid);
    }

    /**
     * The configuration now owns provider id {@code id}: its parked key becomes the provider's key.
     *
     * @return the stored key's metadata, or empty when nothing was parked
     */
    Optional<CredentialMetadata> unpark(String configurationPid, String id, String origin) {
        CredentialRecord parked = records.get(PARKED_PREFIX + configurationPid);
        if (parked == null) {
            return Optional.empty();
        }
        char[] secret = parked.secretCopy();
        try {
            CredentialMetadata stored = store(id, secret, configurationPid, origin);
            delete(PARKED_PREFIX + configurationPid);
            return Optional.of(stored);
        } finally {
            Secrets.wipe(secret);
        }
    }

    /**
     * Deletes every key that belongs to a configuration (it was deleted): its provider key and a parked key.
     *
     * @return the provider keys deleted, with their metadata
     */
    List<CredentialMetadata> deleteOwnedBy(String configurationPid) {
        List<CredentialRecord> removed = new ArrayList<>();
        synchronized (writeLock) {
            checkAvailable();
            SortedMap<String, CredentialRecord> changed = new TreeMap<>(records);
            for (CredentialRecord record : records.values()) {
                if (configurationPid.equals(record.owner())) {
                    changed.remove(record.id());
                    removed.add(record);
                }
            }
            if (removed.isEmpty()) {
                return List.of();
            }
            persist(changed);
        }
        List<CredentialMetadata> providerKeys = new ArrayList<>();
        for (CredentialRecord record : removed) {
            moved.remove(record.id());
            if (!record.id().startsWith(PARKED_PREFIX) && !record.id().startsWith(EXTERNAL_PREFIX)) {
                providerKeys.add(record.metadata());
                events.post(Topics.CREDENTIAL_DELETED, Map.of(EventProperties.PROVIDER_ID, record.id(),
                        EventProperties.FINGERPRINT, record.metadata().fingerprint()));
            }
        }
        return providerKeys;
    }

    /**
     * What the provider configuration that owns {@code id} now says about its origin: a key bound to another
     * origin is held (one WARN line and a {@code HELD} event per move), one bound to this origin is released, an
     * unbound one (stored while the configuration had no base URL) is bound to it.
     */
    void noteOrigin(String id, String owner, String origin) {
        noteOrigin(records.get(id), owner, origin);
        noteOrigin(records.get(EXTERNAL_PREFIX + id), owner, origin);
    }

    private void noteOrigin(CredentialRecord record, String owner, String origin) {
        if (record == null || origin == null || (record.owner() != null && !record.owner().equals(owner))) {
            return;
        }
        if (record.origin() == null) {
            bind(record, origin);
        } else if (record.origin().equals(origin)) {
            if (moved.remove(record.id()) != null) {
                logger.info("The base URL of provider {} is back at {}: its key is no longer held", record.id(),
                        origin);
            }
        } else {
            hold(record, origin);
        }
    }

    private void bind(CredentialRecord record, String origin) {
        synchronized (writeLock) {
            checkAvailable();
            CredentialRecord current = records.get(record.id());
            if (current == null || current.origin() != null) {
                return;
            }
            persist(put(current.boundTo(current.owner(), origin)));
        }
        logger.info("The key of provider {} (fingerprint {}) is bound to {}: it is sent only there", record.id(),
                record.metadata().fingerprint(), origin);
    }

    private void hold(CredentialRecord record, String to) {
        String before = moved.put(record.id(), to);
        if (to.equals(before)) {
            return;
        }
        String id = record.id().startsWith(EXTERNAL_PREFIX) ? record.id().substring(EXTERNAL_PREFIX.length())
                : record.id();
        logger.warn("The key of provider {} (fingerprint {}) is held: its base URL moved from {} to {}, and a key is "
                + "only sent to the address it was stored for. If {} is right, store the key again or confirm the "
                + "move (moryflow:key-confirm {}, POST /api/providers/{}/key/confirm)", id,
                record.metadata().fingerprint(), record.origin(), to, to, id, id);
        events.post(Topics.CREDENTIAL_HELD, Map.of(EventProperties.PROVIDER_ID, id,
                EventProperties.FINGERPRINT, record.metadata().fingerprint(), EventProperties.ORIGIN_FROM,
                record.origin(), EventProperties.ORIGIN_TO, to));
    }

    /** The user's word: the held key of {@code id} follows its provider to the origin it moved to. */
    CredentialMetadata confirmMove(String id) {
        CredentialRecord next;
        String from;
        synchronized (writeLock) {
            checkAvailable();
            CredentialRecord record = id == null ? null : records.get(id);
            if ((record == null || !moved.containsKey(id)) && id != null && moved.containsKey(EXTERNAL_PREFIX + id)) {
                record = records.get(EXTERNAL_PREFIX + id); // the key from the environment variable moved
            }
            if (record == null) {
                throw new IllegalArgumentException("no key is stored for provider '" + id + "': store one instead");
            }
            String to = moved.get(record.id());
            if (to == null) {
                throw new IllegalArgumentException("the key of provider " + id + " is not held"
                        + (record.origin() == null ? "" : ": it is sent to " + record.origin())
                        + "; nothing to confirm");
            }
            from = record.origin();
            next = record.boundTo(record.owner(), to);
            persist(put(next));
            moved.remove(record.id());
        }
        logger.info("Confirmed: the key of provider {} (fingerprint {}) moved from {} to {}", id,
                next.metadata().fingerprint(), from, next.origin());
        return next.metadata();
    }

    /**
     * @return a fresh copy of the key for sending it to {@code origin}, which the caller wipes; no access check here
     * @throws KeyHeldException when the key is bound to another origin
     */
    Optional<char[]> secretFor(String id, String origin) {
        checkAvailable();
        CredentialRecord record = id == null ? null : records.get(id);
        if (record == null) {
            return Optional.empty();
        }
        if (record.origin() == null) {
            if (origin != null) {
                bind(record, origin);
            }
        } else if (!record.origin().equals(origin)) {
            hold(record, String.valueOf(origin));
            throw new KeyHeldException(id, record.origin(), String.valueOf(origin));
        }
        return Optional.of(record.secretCopy());
    }

    /**
     * The provider {@code id} is about to send its outside key to {@code origin}: binds it at the first use, holds it
     * when the origin moved since.
     */
    void admitExternal(String id, String owner, String origin) {
        checkAvailable();
        String name = EXTERNAL_PREFIX + id;
        CredentialRecord record = records.get(name);
        if (record == null || (owner != null && record.owner() != null && !owner.equals(record.owner()))) {
            synchronized (writeLock) {
                checkAvailable();
                persist(put(CredentialRecord.first(name, EXTERNAL_MARKER, clock.instant(), owner, origin)));
            }
            logger.info("The key of provider {} from its environment variable is bound to {}: it is sent only there",
                    id, origin);
            return;
        }
        if (record.origin() != null && !record.origin().equals(origin)) {
            hold(record, String.valueOf(origin));
            throw new KeyHeldException(id, record.origin(), String.valueOf(origin));
        }
        if (record.origin() == null && origin != null) {
            bind(record, origin);
        }
    }

    /** @return the metadata of the binding of a provider's outside key, or empty when it was never used */
    Optional<CredentialMetadata> externalBinding(String id) {
        checkAvailable();
        CredentialRecord record = id == null ? null : records.get(EXTERNAL_PREFIX + id);
        if (record == null) {
            return Optional.empty();
        }
        CredentialMetadata m = record.metadata();
        return Optional.of(new CredentialMetadata(id, m.created(), m.rotated(), m.fingerprint(), List.of(),
                record.owner(), record.origin(), moved.get(record.id())));
    }

    /** @return the configuration a key belongs to, or null */
    String ownerOf(String id) {
        CredentialRecord record = id == null ? null : records.get(id);
        return record == null ? null : record.owner();
    }

    /** @return the ids of every stored key (provider keys, hub secrets and parked keys) */
    List<String> ids() {
        return List.copyOf(records.keySet());
    }

    /** Binds a key stored before keys had owners to its configuration. */
    void adopt(String id, String owner) {
        synchronized (writeLock) {
            checkAvailable();
            CredentialRecord record = records.get(id);
            if (record == null || record.owner() != null) {
                return;
            }
            persist(put(record.boundTo(owner, record.origin())));
        }
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
        moved.remove(id);
        if (id.startsWith(PARKED_PREFIX) || id.startsWith(EXTERNAL_PREFIX)) {
            return true;
        }
        logger.info("Deleted credential {} (fingerprint {})", id, removed.metadata().fingerprint());
        events.post(Topics.CREDENTIAL_DELETED, Map.of(EventProperties.PROVIDER_ID, id,
                EventProperties.FINGERPRINT, removed.metadata().fingerprint()));
        return true;
    }

    boolean verify(String id, char[] candidate) {
        checkAvailable();
        CredentialRecord record = id == null ? null : records.get(id);
        return record != null && candidate != null && record.secretEquals(candidate);
    }

    Optional<CredentialMetadata> metadata(String id) {
        checkAvailable();
        CredentialRecord record = id == null ? null : records.get(id);
        return record == null ? Optional.empty() : Optional.of(record.metadata(moved.get(id)));
    }

    /** @return the provider keys and hub secrets, not the parked keys */
    List<CredentialMetadata> list() {
        checkAvailable();
        maybeCheckExpiring();
        List<CredentialMetadata> all = new ArrayList<>();
        for (CredentialRecord record : records.values()) {
            if (!record.id().startsWith(PARKED_PREFIX) && !record.id().startsWith(EXTERNAL_PREFIX)) {
                all.add(record.metadata(moved.get(record.id())));
            }
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
            if (record.id().startsWith(PARKED_PREFIX) || record.id().startsWith(EXTERNAL_PREFIX)) {
                continue;
            }
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

    /**
     * Runs {@code work} with the changes it makes held back from the store file until {@link #flush()}: they are in
     * use at once (read from memory), and a burst of them (a folder of provider files arriving at once) costs one
     * write of the store instead of one each, each encrypting every key again. Only the calling thread's changes wait;
     * another thread's change is written at once, as always (with what is held back so far). Nothing may rely on a
     * held change being on disk (such as removing a key from its configuration) before {@link #flush()} returns.
     *
     * @param work the changes
     */
    void holdingWrites(Runnable work) {
        synchronized (writeLock) {
            deferring = Thread.currentThread();
        }
        try {
            work.run();
        } finally {
            synchronized (writeLock) {
                deferring = null;
            }
        }
    }

    /**
     * Writes what {@link #holdingWrites} held back, now: before something relies on it being on disk.
     *
     * @return whether something was written
     * @throws IllegalStateException when the store could not be written (the changes stay in memory and are written
     *                               with the next write that succeeds)
     */
    boolean flush() {
        synchronized (writeLock) {
            if (!pending) {
                return false;
            }
            writeFile(records);
            return true;
        }
    }

    /**
     * @param id     a credential id
     * @param secret a secret
     * @return whether this is the secret held under that id
     */
    boolean holdsSecret(String id, char[] secret) {
        CredentialRecord r = id == null ? null : records.get(id);
        return r != null && r.secretEquals(secret);
    }

    /** @return whether changes are held back from the store file */
    boolean holdsWrites() {
        synchronized (writeLock) {
            return pending;
        }
    }

    private void persist(SortedMap<String, CredentialRecord> changed) {
        if (deferring == Thread.currentThread()) {
            records = Collections.unmodifiableSortedMap(changed);
            pending = true;
            return;
        }
        writeFile(changed);
    }

    private void writeFile(SortedMap<String, CredentialRecord> changed) {
        Path storePath = directory.resolve(STORE_FILE).toAbsolutePath();
        try {
            files.writeAtomically(STORE_FILE, StoreFormat.encrypt(changed.values(), key, random));
        } catch (IOException | GeneralSecurityException e) {
            logger.error("Could not write the credential store {}: {}", storePath, e.toString());
            throw new IllegalStateException("could not write the credential store " + storePath + " (" + e
                    + "); nothing was changed. Check free disk space and the folder's permissions.");
        }
        records = Collections.unmodifiableSortedMap(changed);
        pending = false;
    }

    private void checkAvailable() {
        String reason = unavailable;
        if (reason != null) {
            throw new IllegalStateException("the credential store cannot be used: " + reason);
        }
    }

    private static void checkId(String id) {
        if (id != null && (id.startsWith(CredentialStore.HUB_PREFIX) || id.startsWith(PARKED_PREFIX)
                || id.startsWith(EXTERNAL_PREFIX))
                && id.indexOf(':') < id.length() - 1) {
            return;
        }
        if (!ProviderIds.isValid(id)) {
            throw new IllegalArgumentException("credential id '" + id + "' is not valid: " + ProviderIds.RULE
                    + "; hub secrets are named " + CredentialStore.HUB_PREFIX + "<name>");
        }
    }
}
