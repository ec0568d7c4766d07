package dev.moryflow.webconsole.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.List;
import java.util.Optional;

import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.moryflow.config.CheckedForm;
import dev.moryflow.config.ModelForm;
import dev.moryflow.config.ProviderForm;
import dev.moryflow.credentials.CredentialMetadata;
import dev.moryflow.credentials.CredentialStore;
import dev.moryflow.provider.ProviderIds;
import dev.moryflow.webconsole.internal.Page.Notice;

/**
 * What the plugin's forms do: Config Admin configurations for providers, the credential store for keys (write only:
 * the answer names the fingerprint, never the key). Each action answers a {@link Notice} in the user's words.
 */
final class ProviderActions {

    /** The factory of OpenAI-compatible providers, which Add Provider makes. */
    static final String FACTORY = ProviderForm.FACTORY_PID;
    /** The factory of model entries. */
    static final String MODEL_FACTORY = ModelForm.FACTORY_PID;

    private final Logger logger = LoggerFactory.getLogger(ProviderActions.class);
    private final ConfigurationAdmin configAdmin;
    private final CredentialStore credentials;

    ProviderActions(ConfigurationAdmin configAdmin, CredentialStore credentials) {
        this.configAdmin = configAdmin;
        this.credentials = credentials;
    }

    /** @return every provider factory configuration ({@code moryflow.provider.*}) */
    List<Configuration> providerConfigurations() throws IOException {
        return list("(service.factoryPid=" + ProviderIds.FACTORY_PREFIX + "*)");
    }

    /** @return the {@code moryflow.model} configurations, of one provider or (null) of all */
    List<Configuration> modelConfigurations(String providerId) throws IOException {
        return list(providerId == null ? "(service.factoryPid=" + MODEL_FACTORY + ")"
                : "(&(service.factoryPid=" + MODEL_FACTORY + ")(provider=" + ProviderIds.filterValue(providerId) + "))");
    }

    private List<Configuration> list(String filter) throws IOException {
        try {
            Configuration[] all = configAdmin.listConfigurations(filter);
            return all == null ? List.of() : Arrays.asList(all);
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the provider configuration of that id, if any */
    Optional<Configuration> find(String id) throws IOException {
        for (Configuration c : providerConfigurations()) {
            if (id.equals(ProviderRows.idOf(ConfigView.of(c)))) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /**
     * Add Provider: writes the named factory configuration {@code moryflow.provider.openai~<id>}, then stores the
     * key, if one was given, for it (bound to the origin of its base URL). When the key cannot be stored the
     * configuration is removed again: nothing half made stays.
     */
    Notice add(CheckedForm form, char[] key) throws IOException {
        String id = form.value(ProviderForm.ID);
        Configuration made = configAdmin.getFactoryConfiguration(FACTORY, id, "?");
        made.update(form.properties());
        String fingerprint = null;
        if (key != null && key.length > 0) {
            try {
                fingerprint = credentials.store(id, key).fingerprint();
            } catch (IllegalArgumentException | IllegalStateException e) {
                made.delete();
                return Notice.error("Provider " + id + " was not added: its key could not be stored: "
                        + e.getMessage());
            }
        }
        logger.info("Provider {} added in the Web Console{}", id, fingerprint == null ? ""
                : ", with a key (fingerprint " + fingerprint + ")");
        String made0 = "Added provider " + form.value(ProviderForm.NAME) + " (" + id + "), configuration "
                + FACTORY + "~" + id;
        return fingerprint == null ? Notice.ok(made0 + ", no key.") : Notice.ok(made0 + ", key stored: fingerprint",
                fingerprint);
    }

    /**
     * Add Model: writes a {@code moryflow.model} factory configuration (a generated PID) from a checked form. An
     * entry for the same provider and model id is not made twice.
     */
    Notice addModel(CheckedForm form) throws IOException {
        Hashtable<String, Object> props = form.properties();
        String provider = (String) props.get(ModelForm.PROVIDER);
        String model = (String) props.get(ModelForm.ID);
        for (Configuration c : modelConfigurations(provider)) {
            if (model.equals(ConfigView.of(c).string(ModelForm.ID))) {
                return Notice.error("Model " + provider + "/" + model + " was not added: its entry exists already ("
                        + c.getPid() + "); change it on the Configuration page, or remove it first");
            }
        }
        Configuration made = configAdmin.createFactoryConfiguration(MODEL_FACTORY, "?");
        made.update(props);
        logger.info("Model entry {}/{} added in the Web Console ({})", provider, model, made.getPid());
        Object caps = props.get(ModelForm.CAPABILITIES);
        return Notice.ok("Added model " + provider + "/" + model + ", configuration " + made.getPid()
                + (caps == null ? ", no capability tags." : ", capabilities " + String.join(", ", (String[]) caps)
                        + "."));
    }

    /** Set key (none stored yet) or Rotate key (one is stored): the store decides which it is. */
    Notice storeKey(String id, char[] key, boolean rotate) {
        if (key == null || key.length == 0) {
            return Notice.error("No key given for provider " + id + ": type the key into the field beside the button.");
        }
        try {
            String before = credentials.metadata(id).map(CredentialMetadata::fingerprint).orElse(null);
            CredentialMetadata m = rotate && before != null ? credentials.rotate(id, key) : credentials.store(id, key);
            logger.info("Key of provider {} {} in the Web Console (fingerprint {})", id,
                    before == null ? "stored" : "rotated", m.fingerprint());
            return before == null ? Notice.ok("Key stored for provider " + id + ": fingerprint", m.fingerprint())
                    : Notice.ok("Key of provider " + id + " rotated (was " + before + "): fingerprint",
                            m.fingerprint());
        } catch (IllegalArgumentException | IllegalStateException e) {
            return Notice.error("The key of provider " + id + " was not stored: " + e.getMessage());
        }
    }

    Notice deleteKey(String id) {
        Optional<CredentialMetadata> m = credentials.metadata(id);
        if (!credentials.delete(id)) {
            return Notice.error("No key is stored for provider " + id + ".");
        }
        logger.info("Key of provider {} deleted in the Web Console", id);
        return Notice.ok("Deleted the key of provider " + id
                + m.map(x -> " (fingerprint " + x.fingerprint() + ")").orElse("") + ".");
    }

    Notice confirmMove(String id) {
        try {
            CredentialMetadata m = credentials.confirmMove(id);
            logger.info("Key of provider {} follows its base URL to {} (confirmed in the Web Console)", id, m.origin());
            return Notice.ok("The key of provider " + id + " now goes to " + m.origin() + ": fingerprint",
                    m.fingerprint());
        } catch (IllegalArgumentException | IllegalStateException e) {
            return Notice.error("The move of provider " + id + "'s key was not confirmed: " + e.getMessage());
        }
    }

    /**
     * Remove: deletes the provider's model entries and its configuration; the credentials bundle deletes the key
     * that belongs to that configuration with it.
     */
    Notice remove(String id) throws IOException {
        Optional<Configuration> c = find(id);
        if (c.isEmpty()) {
            return Notice.error("There is no provider configuration " + id + " (removed already?).");
        }
        String pid = c.get().getPid();
        boolean hadKey = credentials.metadata(id).isPresent();
        List<String> models = new ArrayList<>();
        if (ProviderIds.isValid(id)) {
            for (Configuration m : modelConfigurations(id)) {
                models.add(String.valueOf(ConfigView.of(m).string("id")));
                m.delete();
            }
        }
        c.get().delete();
        logger.info("Provider {} removed in the Web Console (configuration {}{}{})", id, pid,
                hadKey ? ", its key" : "", models.isEmpty() ? "" : ", model entries " + models);
        StringBuilder s = new StringBuilder("Removed provider ").append(id).append(": its configuration ").append(pid);
        if (hadKey) {
            s.append(models.isEmpty() ? " and " : ", ").append("its key");
        }
        if (!models.isEmpty()) {
            s.append(" and ").append(models.size()).append(models.size() == 1 ? " model entry (" : " model entries (")
                    .append(String.join(", ", models)).append(")");
        }
        return Notice.ok(s.append(" are gone.").toString());
    }
}
