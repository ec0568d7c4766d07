package dev.moryflow.credentials.internal;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.moryflow.credentials.CredentialMetadata;
import dev.moryflow.credentials.CredentialStore;
import dev.moryflow.credentials.Origins;
import dev.moryflow.provider.ProviderIds;

/**
 * Keeps provider configurations and their keys in one model: <b>a key belongs to one provider id, the one
 * configuration that owns it, and one origin</b>. For every configuration whose PID starts with
 * {@code moryflow.provider.} (and the gateway's), as it arrives or changes:
 * <ul>
 * <li>the {@code apiKey} is taken out, valid configuration or not: stored for the provider when the configuration owns
 * a valid id, else <em>parked</em> (kept unused, readable by nobody) until the configuration is fixed or deleted;
 * credentials in a {@code baseUrl} ({@code user:key@}) are removed and never stored;</li>
 * <li>a configuration made with a generated PID (the Web Console's "+") gets its id, once: its {@code id} property,
 * or one made from its {@code name}; it becomes the named configuration {@code <factory>~<id>}, so the id is its name
 * from then on and a rename changes only {@code name};</li>
 * <li>one id, one configuration: a second configuration claiming an id is refused (key parked);</li>
 * <li>a base URL that moved to another origin holds the key ({@link Vault#noteOrigin});</li>
 * <li>a configuration made from a {@code deploy/} file that a Web Console "Save" detached from its file
 * ({@code felix.fileinstall.filename} dropped) is tied to it again, so FileInstall writes the edit back;</li>
 * <li>a deleted configuration takes its keys with it.</li>
 * </ul>
 * Called serially (Config Admin's event thread and the start-up scan); configurations are found with
 * {@code listConfigurations}, which never binds them to this bundle. With a flusher, a key taken in is in use at once
 * but written to the store file, and taken out of its configuration, a moment later with the others that came
 * meanwhile: a folder of a thousand provider files costs a few writes of the store, not a thousand (each encrypting
 * every key), and a key is out of its file only once it is on disk. Which configurations claim each provider id is
 * kept here from their events, so that a check costs a lookup, not a match against every configuration there is.
 */
final class ConfigurationSteward implements Owners {

    static final String PROVIDER_PREFIX = ProviderIds.FACTORY_PREFIX;
    static final String GATEWAY_PID = "moryflow.gateway";
    static final String API_KEY = "apiKey";
    static final String TOKEN = "token";
    static final String NAME = "name";
    static final String BASE_URL = "baseUrl";
    static final String FILE_NAME = "felix.fileinstall.filename";
    private static final String[] NOT_COPIED = {Constants.SERVICE_PID, ConfigurationAdmin.SERVICE_FACTORYPID,
        ConfigurationAdmin.SERVICE_BUNDLELOCATION, ProviderIds.ID_PROPERTY};

    private final Logger logger = LoggerFactory.getLogger(ConfigurationSteward.class);
    private final ConfigurationAdmin configurationAdmin;
    private final Vault vault;
    /** PID to the deploy file it came from, to tie a configuration detached by a console "Save" to it again. */
    private final Map<String, String> files = new HashMap<>();
    /** PID to what its deploy file last gave it (without a key), to make it again after a refused second file. */
    private final Map<String, Hashtable<String, Object>> accepted = new HashMap<>();
    /** PID to a second deploy file for the same id, refused, while FileInstall lets go of it. */
    private final Map<String, String> refusedFiles = new HashMap<>();
    /** Named configurations made again here because Config Admin had lost their factory: their deletion is ours. */
    private final java.util.Set<String> remade = new java.util.HashSet<>();
    private final java.nio.file.Path scratch;
    private final java.nio.file.Path deploy;
    /** Where the held writes are flushed, or null: then every change is written at once. */
    private final java.util.concurrent.ScheduledExecutorService flusher;
    /** The configurations whose key is taken out once the store is written, by PID (guarded by this). */
    private final Map<String, Configuration> afterWrite = new java.util.LinkedHashMap<>();
    private boolean flushScheduled; // guarded by this
    /** Provider id to the configurations that claim it, by PID: every provider configuration looked after here. */
    private final Map<String, Map<String, Configuration>> claimants = new java.util.concurrent.ConcurrentHashMap<>();

    ConfigurationSteward(ConfigurationAdmin configurationAdmin, Vault vault) {
        this(configurationAdmin, vault, null);
    }

    /**
     * @param configurationAdmin Config Admin
     * @param vault              the vault
     * @param scratch            a folder of this bundle's own for scratch files, or null (then a second deploy file
     *                           for one id is not refused)
     */
    ConfigurationSteward(ConfigurationAdmin configurationAdmin, Vault vault, java.nio.file.Path scratch) {
        this(configurationAdmin, vault, scratch, null);
    }

    /**
     * @param configurationAdmin Config Admin
     * @param vault              the vault
     * @param scratch            a folder of this bundle's own for scratch files, or null
     * @param deploy             the folder FileInstall watches ({@code felix.fileinstall.dir}), or null
     */
    ConfigurationSteward(ConfigurationAdmin configurationAdmin, Vault vault, java.nio.file.Path scratch,
            java.nio.file.Path deploy) {
        this(configurationAdmin, vault, scratch, deploy, null);
    }

    /**
     * @param configurationAdmin Config Admin
     * @param vault              the vault
     * @param scratch            a folder of this bundle's own for scratch files, or null
     * @param deploy             the folder FileInstall watches ({@code felix.fileinstall.dir}), or null
     * @param flusher            where the store is written and keys are taken out of their configurations, a moment
     *                           after they came (then {@link #flush()} on stopping); null: at once
     */
    ConfigurationSteward(ConfigurationAdmin configurationAdmin, Vault vault, java.nio.file.Path scratch,
            java.nio.file.Path deploy, java.util.concurrent.ScheduledExecutorService flusher) {
        this.configurationAdmin = configurationAdmin;
        this.vault = vault;
        this.scratch = scratch;
        this.deploy = deploy;
        this.flusher = flusher;
    }

    /** How long the first key taken in waits for others before the store is written and it leaves its file. */
    private static final long GATHER_MILLIS = 100;

    /** Runs a change with its writes held back for the flusher, when there is one. */
    private void held(Runnable change) {
        if (flusher == null) {
            change.run();
        } else {
            vault.holdingWrites(change);
            if (vault.holdsWrites() || !afterWrite.isEmpty()) {
                scheduleFlush();
            }
        }
    }

    private void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            try {
                flusher.schedule(this::flush, GATHER_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                flushScheduled = false;
            }
        }
    }

    /**
     * Writes the store with every key taken in since the last time, then takes those keys out of their
     * configurations. When the store cannot be written, the keys stay in their configurations (and in use).
     */
    synchronized void flush() {
        flushScheduled = false;
        try {
            vault.flush();
        } catch (IllegalStateException e) {
            logger.error("The credential store could not be written: {}. The API keys of {} configurations stay "
                    + "in them until it can be", e.getMessage(), afterWrite.size());
            afterWrite.clear();
            return;
        }
        List<Configuration> holding = new ArrayList<>(afterWrite.values());
        afterWrite.clear();
        for (Configuration c : holding) {
            try {
                takeOutStored(c);
            } catch (RuntimeException e) {
                logger.error("Could not take the stored key out of configuration {}: {}", c.getPid(), e.toString());
            }
        }
    }

    /**
     * Takes a key that is on disk now out of its configuration as the configuration is <em>now</em> (it may have
     * changed since the key came: nothing else of it is touched). A key other than the one stored for it is left
     * there: it is newer, and its own event brings it in.
     */
    private void takeOutStored(Configuration c) {
        Dictionary<String, Object> properties;
        try {
            properties = c.getProperties();
        } catch (IllegalStateException deleted) {
            return;
        }
        if (properties == null) {
            return;
        }
        String pid = c.getPid();
        boolean gateway = GATEWAY_PID.equals(pid);
        Hashtable<String, Object> next = copy(properties);
        char[] secret = take(next, gateway ? TOKEN : API_KEY, pid);
        try {
            if (secret == null) {
                return;
            }
            boolean stored = gateway ? vault.holdsSecret(CredentialStore.GATEWAY_TOKEN, secret)
                    : vault.holdsSecret(ProviderIds.of(pid), secret)
                            || vault.holdsSecret(Vault.PARKED_PREFIX + pid, secret);
            if (stored) {
                apply(c, next, gateway ? "the gateway token" : "its API key");
            }
        } finally {
            Secrets.wipe(secret);
        }
    }

    /**
     * Takes a key just stored out of its configuration: at once without a flusher, else once the store is written
     * ({@link #takeOutStored}, from the configuration as it is by then).
     */
    private void takeOutWhenStored(Configuration c, Hashtable<String, Object> next, String what) {
        if (flusher == null) {
            apply(c, next, what);
        } else {
            afterWrite.put(c.getPid(), c);
        }
    }

    /** Records a provider configuration as a claimant of the id its PID names. */
    private void index(Configuration c) {
        String id = ProviderIds.of(c.getPid());
        if (id != null && c.getPid().startsWith(PROVIDER_PREFIX) && factoryOf(c) != null) {
            claimants.computeIfAbsent(id, k -> new java.util.concurrent.ConcurrentHashMap<>()).put(c.getPid(), c);
        }
    }

    private void unindex(String pid) {
        String id = ProviderIds.of(pid);
        Map<String, Configuration> of = id == null ? null : claimants.get(id);
        if (of != null) {
            of.remove(pid);
        }
    }

    /** @return whether a configuration with this PID may hold something this class looks after */
    static boolean concerns(String pid) {
        return pid != null && (pid.startsWith(PROVIDER_PREFIX) || GATEWAY_PID.equals(pid));
    }

    /** Looks after every configuration there is, then drops keys whose configuration is gone. */
    synchronized void start() {
        List<Configuration> all = list("(|(service.pid=" + PROVIDER_PREFIX + "*)(service.pid=" + GATEWAY_PID + "))");
        all.forEach(this::index);
        held(() -> all.forEach(this::handle));
        if (vault.unavailableReason().isPresent()) {
            return;
        }
        java.util.Set<String> present = new java.util.HashSet<>();
        all.forEach(c -> present.add(c.getPid()));
        held(() -> forgetUnowned(present));
    }

    /** Drops the keys whose configuration went while the hub was stopped. */
    private void forgetUnowned(java.util.Set<String> present) {
        for (String id : vault.ids()) {
            if (id.startsWith(CredentialStore.HUB_PREFIX)) {
                continue;
            }
            String owner = vault.ownerOf(id);
            if (owner == null) {
                Owner now = ownerOf(id);
                if (now == null) {
                    forget(id, "no provider configuration has that id");
                } else {
                    vault.adopt(id, now.pid);
                    vault.noteOrigin(id, now.pid, now.origin);
                }
            } else if (!present.contains(owner)) {
                forget(id, "its configuration " + owner + " was deleted");
            }
        }
    }

    private void forget(String id, String why) {
        if (vault.delete(id) && !id.startsWith(Vault.PARKED_PREFIX)) {
            logger.info("Deleted the key of provider {}: {}", id, why);
        }
    }

    /** A configuration was created or changed. */
    synchronized void updated(String pid) {
        List<Configuration> found = list("(service.pid=" + escape(pid) + ")");
        found.forEach(this::index);
        held(() -> found.forEach(this::handle));
    }

    /**
     * A named factory configuration ({@code <factory>~<name>}) made again within moments of its deletion can come back
     * from Config Admin without its factory PID (seen under load with Felix Config Admin 1.9): then no provider
     * bundle is ever given it, and the provider silently never appears. It is deleted and made again, the same
     * properties, as the factory configuration it is. One from a deploy file is left to FileInstall (deleting it
     * would delete the file): the log says to save the file again.
     *
     * @return whether it was made again (its events are then those of the new one)
     */
    private boolean remake(Configuration c, String factoryPid, Dictionary<String, Object> properties) {
        String pid = c.getPid();
        if (properties.get(FILE_NAME) != null) {
            logger.warn("Configuration {} came back from Config Admin without its factory {}, so no provider is made "
                    + "of it; save its file {} again", pid, factoryPid, properties.get(FILE_NAME));
            return false;
        }
        try {
            vault.flush();
            Hashtable<String, Object> same = copy(properties);
            same.remove(org.osgi.framework.Constants.SERVICE_PID);
            remade.add(pid);
            c.delete();
            configurationAdmin.getFactoryConfiguration(factoryPid, pid.substring(factoryPid.length() + 1), "?")
                    .update(same);
            logger.info("Configuration {} came back from Config Admin without its factory {}: made again as a "
                    + "factory configuration, with the same properties", pid, factoryPid);
            return true;
        } catch (IOException | RuntimeException e) {
            remade.remove(pid);
            logger.error("Configuration {} came back from Config Admin without its factory {} and could not be made "
                    + "again: {}; delete it and make it again", pid, factoryPid, e.toString());
            return false;
        }
    }

    /** A configuration was deleted: its keys go with it. */
    synchronized void deleted(String pid, String factoryPid) {
        held(() -> removed(pid, factoryPid));
    }

    private void removed(String pid, String factoryPid) {
        if (factoryPid == null && remade.remove(pid)) {
            return; // deleted here to be made again: it keeps its keys
        }
        String refused = refusedFiles.remove(pid);
        Hashtable<String, Object> first = accepted.get(pid);
        String firstFile = files.get(pid);
        // Config Admin may not say the factory of a named configuration deleted in a hurry: its PID does
        int tilde = pid.indexOf('~');
        String factory = factoryPid != null ? factoryPid : tilde > 0 ? pid.substring(0, tilde) : null;
        if (refused != null && first != null && factory != null && firstFile != null && exists(firstFile)) {
            // FileInstall removes the configuration when the refused second file goes; the first file still defines it
            try {
                configurationAdmin.getFactoryConfiguration(factory, ProviderIds.of(pid), "?")
                        .update(new Hashtable<>(first));
                logger.info("Provider {} is made again from {}, its one file now", ProviderIds.of(pid), firstFile);
                return;
            } catch (IOException | RuntimeException e) {
                logger.error("Could not make provider {} again from {}: {}", ProviderIds.of(pid), firstFile,
                        e.toString());
            }
        }
        accepted.remove(pid);
        deleted(pid);
        if (factory == null && pid.startsWith(PROVIDER_PREFIX)) {
            // while a plain configuration with a factory's PID existed, Declarative Services refused every factory
            // configuration of that PID that came or changed: hand them to it again
            for (Configuration c : list("(service.factoryPid=" + escape(pid) + ")")) {
                try {
                    Dictionary<String, Object> p = c.getProperties();
                    if (p != null) {
                        c.update(p);
                    }
                } catch (IOException | IllegalStateException e) {
                    logger.debug("Could not hand configuration {} to its component again: {}", c.getPid(), e.toString());
                }
            }
        }
    }

    /** A configuration was deleted: its keys go with it. */
    synchronized void deleted(String pid) {
        files.remove(pid);
        unindex(pid);
        afterWrite.remove(pid);
        if (vault.unavailableReason().isPresent()) {
            return;
        }
        for (CredentialMetadata m : vault.deleteOwnedBy(pid)) {
            logger.info("Deleted the key of provider {} (fingerprint {}) with its configuration {}", m.id(),
                    m.fingerprint(), pid);
        }
    }

    private void handle(Configuration c) {
        try {
            Dictionary<String, Object> properties = c.getProperties();
            if (properties == null) {
                return;
            }
            if (GATEWAY_PID.equals(c.getPid())) {
                gateway(c, properties);
            } else {
                provider(c, properties);
            }
        } catch (IllegalStateException deleted) {
            logger.debug("Configuration {} went away while it was looked after", c);
        }
    }

    private void gateway(Configuration c, Dictionary<String, Object> properties) {
        Hashtable<String, Object> next = copy(properties);
        char[] token = take(next, TOKEN, c.getPid());
        if (token == null) {
            return;
        }
        try {
            CredentialMetadata stored = vault.store(CredentialStore.GATEWAY_TOKEN, token);
            takeOutWhenStored(c, next, "the gateway token (fingerprint " + stored.fingerprint() + ")");
        } catch (RuntimeException e) {
            logger.error("Could not store the gateway token from configuration {}; it stays there until the "
                    + "credential store works: {}", c.getPid(), e.getMessage());
        } finally {
            Secrets.wipe(token);
        }
    }

    private void provider(Configuration c, Dictionary<String, Object> properties) {
        String pid = c.getPid();
        String factoryPid = factoryOf(c);
        if (c.getFactoryPid() == null && factoryPid != null && remake(c, factoryPid, properties)) {
            return;
        }
        if (vault.unavailableReason().isPresent()) {
            logger.error("Configuration {} is left as it is: the credential store cannot be used ({}); an API key in "
                    + "it stays there until the store works", pid, vault.unavailableReason().get());
            return;
        }
        Hashtable<String, Object> next = copy(properties);
        if (secondFile(c, next)) {
            return;
        }
        boolean stripped = stripUrlCredentials(next, pid);
        boolean retied = retieFile(pid, next);
        char[] secret = take(next, API_KEY, pid);
        try {
            if (factoryPid == null) {
                if (plain(c, next, secret)) {
                    return;
                }
            } else if (ProviderIds.isUnnamed(pid, factoryPid)) {
                if (name(c, next, secret)) {
                    return;
                }
            } else {
                claim(pid, factoryPid, next, secret);
            }
            if (stripped || retied) {
                // rare (a base URL with credentials, a detached file): all at once, a key taken in on disk first
                vault.flush();
                apply(c, next, secret == null ? null : "its API key");
            } else if (secret != null) {
                takeOutWhenStored(c, next, "its API key");
            }
            if (next.get(FILE_NAME) != null && givesSomething(next)) {
                // not a state with nothing but its identity: FileInstall, reading a file while it writes it back
                // (a key taken out), can hand over an empty one for a moment; that is nothing to make again
                accepted.put(pid, new Hashtable<>(next));
            }
        } finally {
            Secrets.wipe(secret);
        }
    }

    /**
     * One id, one configuration: FileInstall makes {@code x-groq.cfg} and {@code x-groq.config} the one configuration
     * {@code x~groq}, each file overriding the other. The second file to arrive is refused: the configuration is put
     * back as the first file made it (without a file, so that FileInstall, letting go of the second file, deletes
     * neither file), the second file is set aside as {@code <name>.refused} without its key, and when FileInstall then
     * removes the configuration it is made again from the first file.
     *
     * @return whether the configuration was handled here
     */
    private boolean secondFile(Configuration c, Hashtable<String, Object> next) {
        String pid = c.getPid();
        String file = string(next.get(FILE_NAME));
        String refused = refusedFiles.get(pid);
        if (refused != null) {
            if (file != null && file.equals(decoy(pid))) {
                // FileInstall has seen the configuration tied to the decoy: the second file can go now
                setAside(refused);
                return true;
            }
            if (file != null && file.equals(refused)) {
                revert(c, pid);
                return true;
            }
            return false;
        }
        String first = files.get(pid);
        if (file == null || first == null || file.equals(first) || !exists(first) || !accepted.containsKey(pid)
                || scratch == null) {
            return false;
        }
        char[] secret = take(next, API_KEY, pid);
        Secrets.wipe(secret);
        logger.warn("Two files define provider {}: {} and {}. The second is refused and nothing of it is used{}; it "
                + "is renamed {}.refused. Keep one file per provider id", ProviderIds.of(pid), first, file,
                secret == null ? "" : " (its API key was NOT stored)", file);
        refusedFiles.put(pid, file);
        revert(c, pid);
        return true;
    }

    /**
     * Puts the configuration back as the first file made it, tied to a scratch file (the decoy) instead of a deploy
     * file: FileInstall deletes the file a configuration was last tied to when the configuration is deleted, and it
     * deletes the configuration when the refused file goes; so neither deploy file may be that file then.
     */
    private void revert(Configuration c, String pid) {
        Hashtable<String, Object> back = new Hashtable<>(accepted.get(pid));
        try {
            File decoy = new File(URI.create(decoy(pid)));
            java.nio.file.Files.createDirectories(decoy.getParentFile().toPath());
            if (!decoy.exists()) {
                java.nio.file.Files.createFile(decoy.toPath());
            }
            back.put(FILE_NAME, decoy(pid));
            c.update(back);
        } catch (IOException | RuntimeException e) {
            logger.error("Could not put configuration {} back as its first file made it: {}", pid, e.toString());
        }
    }

    /** @return the file URL of the scratch file a configuration is tied to while its second file is set aside */
    private String decoy(String pid) {
        return scratch == null ? null : scratch.resolve(pid.replace('~', '-') + ".config").toUri().toString();
    }

    /** Renames a refused file {@code <name>.refused}, without its {@code apiKey} lines. */
    private void setAside(String fileUrl) {
        File f = file(fileUrl);
        if (f == null) {
            return;
        }
        try {
            List<String> lines = java.nio.file.Files.readAllLines(f.toPath(), java.nio.charset.StandardCharsets.ISO_8859_1);
            lines.removeIf(l -> l.trim().toLowerCase(java.util.Locale.ROOT).matches("apikey\\s*[=:].*"));
            File aside = new File(f.getParentFile(), f.getName() + ".refused");
            java.nio.file.Files.write(aside.toPath(), lines, java.nio.charset.StandardCharsets.ISO_8859_1);
            java.nio.file.Files.delete(f.toPath());
        } catch (IOException e) {
            logger.error("Could not set the refused file {} aside: {}; remove it by hand", f, e.toString());
        }
    }

    /** A named (or plain) configuration: stores, parks or holds its key. */
    private void claim(String pid, String factoryPid, Hashtable<String, Object> next, char[] secret) {
        String id = ProviderIds.of(pid);
        String refusal = ProviderIds.refusal(pid, factoryPid, string(next.get(ProviderIds.ID_PROPERTY)));
        if (refusal == null) {
            Owner owner = knownOwnerOf(id);
            if (owner != null && !owner.pid.equals(pid)) {
                refusal = "the provider id " + id + " is already used by configuration " + owner.pid
                        + ": give this one another id, or remove the other";
            }
        }
        String origin = Origins.of(string(next.get(BASE_URL)));
        if (refusal != null) {
            if (secret != null) {
                refuse(pid, secret, refusal, "Configuration");
            }
            return;
        }
        if (secret != null) {
            CredentialMetadata m = vault.store(id, secret, pid, origin);
            vault.delete(Vault.PARKED_PREFIX + pid);
            logger.info("Stored the API key of provider {} (fingerprint {}{}) and removed it from its "
                    + "configuration", id, m.fingerprint(), origin == null ? "" : ", sent only to " + origin);
        } else if (vault.isParked(pid)) {
            vault.unpark(pid, id, origin).ifPresent(m -> logger.info("Configuration {} is accepted now: its key "
                    + "(fingerprint {}) is the key of provider {}", pid, m.fingerprint(), id));
        } else {
            vault.noteOrigin(id, pid, origin);
        }
    }

    /** An id for a configuration that has none yet, or why it cannot have the one it asks for. */
    private static final class Choice {
        final String id;
        final String refusal;

        Choice(String id, String refusal) {
            this.id = id;
            this.refusal = refusal;
        }
    }

    /** Its {@code id} property when valid and free, else (none given) one made from its name, made unique. */
    private Choice chooseId(Hashtable<String, Object> next, String factoryPid, File folder) {
        String chosen = string(next.get(ProviderIds.ID_PROPERTY));
        if (chosen != null) {
            if (!ProviderIds.isValid(chosen)) {
                return new Choice(chosen, "its id \"" + shorten(chosen) + "\" is not valid: " + ProviderIds.RULE);
            }
            Owner owner = ownerOf(chosen);
            if (owner != null || taken(folder, factoryPid, chosen)) {
                return new Choice(chosen, "the provider id " + chosen + " is already used"
                        + (owner == null ? "" : " by configuration " + owner.pid) + ": choose another id");
            }
            return new Choice(chosen, null);
        }
        String base = ProviderIds.slug(string(next.get(NAME)));
        String id = base;
        for (int n = 2; ownerOf(id) != null || taken(folder, factoryPid, id); n++) {
            id = base + "-" + n;
        }
        return new Choice(id, null);
    }

    /** @return whether a deploy file for that id exists already (its configuration may not be made yet) */
    private static boolean taken(File folder, String factoryPid, String id) {
        return folder != null && (new File(folder, factoryPid + "-" + id + ".cfg").exists()
                || new File(folder, factoryPid + "-" + id + ".config").exists());
    }

    private void refuse(String pid, char[] secret, String refusal, String what) {
        if (secret != null) {
            vault.park(pid, secret);
        }
        logger.warn("{} {} is refused: {}.{}", what, pid, refusal, secret == null ? ""
                : " Its API key was NOT stored for any provider: it was removed from the configuration and is kept "
                        + "unused until the configuration is fixed or deleted");
    }

    /**
     * A plain configuration with a provider factory's PID ({@code deploy/moryflow.provider.openai.cfg}, no id after a
     * {@code -}): not a provider, and Declarative Services would refuse every provider of that factory while it
     * exists. It gets an id as a console-made one does; its file is renamed {@code <factory>-<id>.cfg}, or, without a
     * file, it becomes the named configuration of that id.
     *
     * @return whether the configuration was replaced
     */
    private boolean plain(Configuration c, Hashtable<String, Object> next, char[] secret) {
        String pid = c.getPid();
        String fileUrl = string(next.get(FILE_NAME));
        File file = file(fileUrl);
        if (fileUrl != null && file == null) {
            return true; // its file was renamed: FileInstall removes this configuration and makes the named one
        }
        Choice choice = chooseId(next, pid, file == null ? null : file.getParentFile());
        if (choice.refusal != null) {
            refuse(pid, secret, choice.refusal + " (a file of provider configurations is named " + pid
                    + "-<id>.cfg)", "Configuration");
            return false;
        }
        String target = pid + "~" + choice.id;
        if (secret != null) {
            vault.park(target, secret); // the key of that configuration when it arrives
        }
        try {
            vault.flush(); // the parked key is on disk before its file is renamed
            if (file != null) {
                apply(c, next, null);
                File renamed = new File(file.getParentFile(), pid + "-" + choice.id
                        + (file.getName().endsWith(".config") ? ".config" : ".cfg"));
                java.nio.file.Files.move(file.toPath(), renamed.toPath());
                logger.warn("{} has no provider id (the part of the file name after the first '-'): it was renamed "
                        + "{}, so it is provider {}; that id never changes", file, renamed.getName(), choice.id);
            } else {
                Configuration named = configurationAdmin.getFactoryConfiguration(pid, choice.id, "?");
                named.update(withoutIdentity(next));
                c.delete();
                logger.warn("Configuration {} has no provider id: it is provider {} now ({})", pid, choice.id,
                        target);
            }
            return true;
        } catch (IOException | RuntimeException e) {
            logger.error("Could not make provider {} from configuration {}: {}", choice.id, pid, e.toString());
            return false;
        }
    }

    /** @return whether the properties hold anything but the configuration's identity and file */
    private static boolean givesSomething(Hashtable<String, Object> properties) {
        for (String key : properties.keySet()) {
            if (!key.equals(FILE_NAME) && java.util.Arrays.stream(NOT_COPIED).noneMatch(key::equalsIgnoreCase)) {
                return true;
            }
        }
        return false;
    }

    private static Hashtable<String, Object> withoutIdentity(Hashtable<String, Object> next) {
        Hashtable<String, Object> properties = new Hashtable<>(next);
        for (String key : NOT_COPIED) {
            properties.remove(key);
        }
        return properties;
    }

    private static File file(String url) {
        if (url == null) {
            return null;
        }
        File f;
        try {
            f = new File(URI.create(url));
        } catch (IllegalArgumentException e) {
            f = new File(url);
        }
        return f.isFile() ? f : null;
    }

    /**
     * A configuration with a generated PID: gives it its id and makes it the named configuration of that id.
     *
     * @return whether the configuration was replaced (nothing more to do with it)
     */
    private boolean name(Configuration c, Hashtable<String, Object> next, char[] secret) {
        String pid = c.getPid();
        String factoryPid = factoryOf(c);
        Choice choice = chooseId(next, factoryPid, null);
        if (choice.refusal != null) {
            refuse(pid, secret, choice.refusal, "New provider configuration");
            return false;
        }
        String id = choice.id;
        String origin = Origins.of(string(next.get(BASE_URL)));
        try {
            Configuration named = configurationAdmin.getFactoryConfiguration(factoryPid, id, "?");
            if (secret != null) {
                vault.store(id, secret, named.getPid(), origin);
            } else {
                vault.unpark(pid, id, origin);
            }
            vault.flush(); // the key is on disk before the configuration that brought it goes
            named.update(withoutIdentity(next));
            c.delete();
            logger.info("New provider {} from configuration {}: its id is {} ({}/<model> names its models; the id "
                    + "never changes, a rename changes only its name){}", id, pid, id, id,
                    secret == null ? "" : "; its API key is in the credential store"
                            + (origin == null ? "" : ", sent only to " + origin));
            return true;
        } catch (IOException | RuntimeException e) {
            logger.error("Could not make provider {} from configuration {}: {}", id, pid, e.toString());
            if (secret != null) {
                vault.park(pid, secret);
            }
            return false;
        }
    }

    @Override
    public Owner ownerOf(String providerId) {
        if (!ProviderIds.isValid(providerId)) {
            return null;
        }
        List<Configuration> claimants = new ArrayList<>();
        for (Configuration c : list("(service.pid=" + PROVIDER_PREFIX + "*~" + escape(providerId) + ")")) {
            if (factoryOf(c) != null && providerId.equals(ProviderIds.of(c.getPid()))) {
                claimants.add(c);
            }
        }
        return ownerAmong(providerId, claimants);
    }

    /**
     * {@link #ownerOf} from the claimants known here (those whose events came), a lookup instead of matching every
     * configuration: for the check made on each key taken in.
     */
    private Owner knownOwnerOf(String providerId) {
        if (!ProviderIds.isValid(providerId)) {
            return null;
        }
        List<Configuration> claimants = new ArrayList<>(this.claimants.getOrDefault(providerId, Map.of()).values());
        return ownerAmong(providerId, claimants);
    }

    private Owner ownerAmong(String providerId, List<Configuration> claimants) {
        claimants.removeIf(c -> {
            try {
                c.getProperties();
                return false;
            } catch (IllegalStateException deleted) {
                unindex(c.getPid()); // its deletion is on its way
                return true;
            }
        });
        if (claimants.isEmpty()) {
            return null;
        }
        String recorded = vault.unavailableReason().isPresent() ? null : vault.ownerOf(providerId);
        Configuration owner = null;
        for (Configuration c : claimants) {
            if (c.getPid().equals(recorded)) {
                owner = c;
            }
        }
        if (owner == null) {
            TreeSet<String> pids = new TreeSet<>();
            claimants.forEach(c -> pids.add(c.getPid()));
            for (Configuration c : claimants) {
                if (c.getPid().equals(pids.first())) {
                    owner = c;
                }
            }
        }
        Dictionary<String, Object> p = owner.getProperties();
        return new Owner(owner.getPid(), p == null ? null : Origins.of(string(p.get(BASE_URL))));
    }

    /**
     * @return the configuration's factory PID; for a named factory configuration ({@code <factory>~<name>}) the part
     *         before the {@code ~} when Config Admin does not say (a configuration deleted and made again at once can
     *         answer null while it changes hands): such a PID is never a plain configuration
     */
    private static String factoryOf(Configuration c) {
        String factoryPid = c.getFactoryPid();
        int tilde = c.getPid().indexOf('~');
        return factoryPid != null || tilde <= 0 ? factoryPid : c.getPid().substring(0, tilde);
    }

    /** Removes {@code user:password@} from the base URL: such credentials are never kept or echoed. */
    private boolean stripUrlCredentials(Hashtable<String, Object> next, String pid) {
        String key = findKey(next, BASE_URL);
        String url = key == null ? null : string(next.get(key));
        if (url == null) {
            return false;
        }
        int scheme = url.indexOf("://");
        int at = url.indexOf('@');
        int pathStart = scheme < 0 ? -1 : indexOfAny(url, scheme + 3, "/?#");
        if (scheme < 0 || at < scheme || (pathStart >= 0 && at > pathStart)) {
            return false;
        }
        next.put(key, url.substring(0, scheme + 3) + url.substring(at + 1));
        logger.warn("Configuration {}: its baseUrl contained a user name or password; they were removed from the "
                + "configuration and not stored. Put the key in apiKey instead", pid);
        return true;
    }

    private static int indexOfAny(String s, int from, String chars) {
        for (int i = from; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    /** Ties a configuration from a deploy file to its file again when an edit elsewhere dropped the tie. */
    private boolean retieFile(String pid, Hashtable<String, Object> next) {
        if (refusedFiles.containsKey(pid)) {
            return false;
        }
        Object file = next.get(FILE_NAME);
        if (file != null) {
            files.put(pid, String.valueOf(file));
            return false;
        }
        String remembered = files.get(pid);
        if (remembered == null) {
            remembered = deployFileOf(pid);
        }
        if (remembered == null || !exists(remembered)) {
            return false;
        }
        next.put(FILE_NAME, remembered);
        logger.info("Configuration {} comes from {}: the change is written back to that file", pid, remembered);
        return true;
    }

    /**
     * @return the deploy file that FileInstall makes this named configuration from ({@code <factory>-<id>.cfg} or
     *         {@code .config} in the watched folder), as FileInstall names it, or null when there is not exactly one
     */
    private String deployFileOf(String pid) {
        int tilde = pid.indexOf('~');
        if (deploy == null || tilde < 0) {
            return null;
        }
        String base = pid.substring(0, tilde) + "-" + pid.substring(tilde + 1);
        File cfg = deploy.resolve(base + ".cfg").toFile();
        File config = deploy.resolve(base + ".config").toFile();
        if (cfg.isFile() == config.isFile()) {
            return null;
        }
        return (cfg.isFile() ? cfg : config).getAbsoluteFile().toURI().toString();
    }

    private static boolean exists(String fileUrl) {
        try {
            return new File(URI.create(fileUrl)).exists();
        } catch (IllegalArgumentException e) {
            return new File(fileUrl).exists();
        }
    }

    /** Updates a configuration (nothing is written when it holds these properties already). */
    private void apply(Configuration c, Hashtable<String, Object> next, String what) {
        try {
            c.updateIfDifferent(next);
        } catch (IOException | RuntimeException e) {
            logger.error("Could not update configuration {} ({}){}", c.getPid(), e.toString(), what == null ? ""
                    : ": " + what + " is in the credential store, but remove it from its file or form by hand");
        }
    }

    /** Takes a secret property out of {@code next}. */
    private char[] take(Hashtable<String, Object> next, String wanted, String pid) {
        String key = findKey(next, wanted);
        if (key == null) {
            return null;
        }
        Object value = next.remove(key);
        char[] secret = value instanceof String ? ((String) value).toCharArray()
                : value instanceof char[] ? ((char[]) value).clone()
                : value instanceof String[] && ((String[]) value).length == 1 ? ((String[]) value)[0].toCharArray()
                : null;
        if (secret == null) {
            logger.warn("Property {} of configuration {} is not text ({}): it was removed; set it as one string, "
                    + "for example {}=\"...\" in a .config file", key, pid, value.getClass().getSimpleName(), key);
            return null;
        }
        if (Secrets.isBlank(secret)) {
            Secrets.wipe(secret);
            return null;
        }
        char[] stripped = Secrets.strip(secret);
        Secrets.wipe(secret);
        return stripped;
    }

    private List<Configuration> list(String filter) {
        try {
            Configuration[] found = configurationAdmin.listConfigurations(filter);
            return found == null ? List.of() : List.of(found);
        } catch (IOException | InvalidSyntaxException e) {
            logger.error("Could not list configurations {}: {}", filter, e.toString());
            return List.of();
        }
    }

    private static Hashtable<String, Object> copy(Dictionary<String, Object> properties) {
        Hashtable<String, Object> copy = new Hashtable<>();
        for (Enumeration<String> keys = properties.keys(); keys.hasMoreElements();) {
            String key = keys.nextElement();
            copy.put(key, properties.get(key));
        }
        return copy;
    }

    /** Config Admin keys are case-insensitive: find the spelling in use. */
    private static String findKey(Hashtable<String, Object> properties, String wanted) {
        for (String key : properties.keySet()) {
            if (key.equalsIgnoreCase(wanted)) {
                return key;
            }
        }
        return null;
    }

    private static String string(Object v) {
        if (v instanceof String[]) {
            String[] a = (String[]) v;
            v = a.length == 0 ? null : a[0];
        }
        if (v == null) {
            return null;
        }
        String s = String.valueOf(v).trim();
        return s.isEmpty() ? null : s;
    }

    private static String shorten(String s) {
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    /** Escapes the characters that are special in an LDAP filter value. */
    static String escape(String value) {
        return ProviderIds.filterValue(value);
    }
}
