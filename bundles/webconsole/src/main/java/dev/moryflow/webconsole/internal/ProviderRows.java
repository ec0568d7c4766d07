package dev.moryflow.webconsole.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import dev.moryflow.credentials.CredentialMetadata;
import dev.moryflow.provider.KeyState;
import dev.moryflow.provider.Preset;
import dev.moryflow.provider.ProviderIds;
import dev.moryflow.provider.ProviderInfo;
import dev.moryflow.provider.Transport;

/**
 * Builds the Providers table from what the registry, Config Admin and the credential store say: one row per
 * registered provider, and one per provider configuration that registered none (disabled, or refused with the
 * reason {@link ProviderIds#refusal} gives). Custom providers first, then presets, each by id.
 */
final class ProviderRows {

    /** A registered provider: what it says of itself, and its model ids. */
    record Registered(ProviderInfo info, List<String> models) {
    }

    private final Function<String, Optional<CredentialMetadata>> metadata;
    private final Function<String, Optional<Preset>> presets;
    private final Instant now;
    private final Function<String, Optional<String>> failing;

    /**
     * @param metadata the credential store's metadata by id
     * @param presets  the preset catalog by preset id (empty when the presets bundle is not running)
     * @param now      the time ages are counted to
     * @param failing  a provider's last problem, while no chat through it has completed since
     */
    ProviderRows(Function<String, Optional<CredentialMetadata>> metadata, Function<String, Optional<Preset>> presets,
            Instant now, Function<String, Optional<String>> failing) {
        this.failing = failing;
        this.metadata = metadata;
        this.presets = presets;
        this.now = now;
    }

    /**
     * @param registered     the registered providers
     * @param configurations the provider factory configurations
     * @param models         the {@code moryflow.model} configurations
     * @return the rows, custom providers first
     */
    List<ProviderRow> rows(List<Registered> registered, List<ConfigView> configurations, List<ConfigView> models) {
        Map<String, ConfigView> byId = new HashMap<>();
        for (ConfigView c : configurations) {
            byId.putIfAbsent(idOf(c), c);
        }
        Map<String, List<String>> entries = new HashMap<>();
        for (ConfigView m : models) {
            String provider = m.string("provider");
            if (provider != null) {
                entries.computeIfAbsent(provider, p -> new ArrayList<>()).add(m.string("id"));
            }
        }
        List<ProviderRow> rows = new ArrayList<>();
        for (Registered r : registered) {
            ProviderInfo i = r.info();
            ConfigView c = byId.remove(i.id());
            List<String> own = entries.getOrDefault(i.id(), List.of());
            rows.add(registeredRow(i, withEntries(r.models(), own), c, own.size()));
        }
        for (ConfigView c : byId.values()) {
            rows.add(configurationRow(c, entries.getOrDefault(idOf(c), List.of()).size()));
        }
        rows.sort(Comparator.comparing((ProviderRow p) -> p.preset() != null).thenComparing(ProviderRow::id));
        return rows;
    }

    /** @return the provider's models, then the model entries it does not list (routing adds those to it) */
    private static List<String> withEntries(List<String> models, List<String> entries) {
        List<String> all = new ArrayList<>(models);
        entries.stream().filter(e -> e != null && !all.contains(e)).forEach(all::add);
        return all;
    }

    private ProviderRow registeredRow(ProviderInfo i, List<String> models, ConfigView c, int modelEntries) {
        Optional<CredentialMetadata> m = metadata.apply(i.id());
        String env = c == null ? null : c.string("apiKeyEnv");
        String status;
        String level = "ok";
        if (i.transport() == Transport.INSECURE_REFUSED) {
            status = i.unavailableReason();
            level = "error";
        } else if (i.keyState() == KeyState.MISSING) {
            status = "needs key: set it here" + (env == null ? "" : ", or export " + env + " before starting the hub");
            level = "warn";
        } else if (i.keyState() == KeyState.HELD) {
            status = i.keyStatus() + ": nothing is sent until you confirm the move or set the key again";
            level = "warn";
        } else if (failing.apply(i.id()).isPresent()) {
            status = "failing: " + failing.apply(i.id()).get();
            level = "warn";
        } else if (i.keyState() == KeyState.NOT_REQUIRED) {
            status = "ready (no key needed)";
        } else {
            status = "ready";
        }
        String key;
        if (m.isPresent()) {
            key = describe(m.get());
        } else if (i.keyState() == KeyState.PRESENT && env != null) {
            key = "from the environment variable " + env;
        } else if (i.keyState() == KeyState.NOT_REQUIRED) {
            key = "none needed";
        } else {
            key = "none";
        }
        return new ProviderRow(i.id(), i.name(), i.baseUrl(), i.preset(), hint(i.preset()), status, level, key,
                List.copyOf(models), c == null ? null : c.pid(), c == null ? null : file(c), m.isPresent(),
                i.keyState() == KeyState.HELD, modelEntries);
    }

    private ProviderRow configurationRow(ConfigView c, int modelEntries) {
        String id = idOf(c);
        String status;
        String level;
        if (c.disabled()) {
            status = "disabled";
            level = "off";
        } else {
            String refusal = ProviderIds.refusal(c.pid(), c.factoryPid(), c.string(ProviderIds.ID_PROPERTY));
            status = "refused: " + (refusal != null ? refusal
                    : "the configuration was not accepted; the log (Status → Log Service) names the field and the fix");
            level = "error";
        }
        Optional<CredentialMetadata> m = ProviderIds.isValid(id) ? metadata.apply(id) : Optional.empty();
        String preset = c.string("preset");
        String[] models = models(c.properties().get("models"));
        return new ProviderRow(id, c.string("name") == null ? id : c.string("name"), withoutUserInfo(c.string("baseUrl")),
                preset, hint(preset), status, level, m.map(this::describe).orElse("none"), Arrays.asList(models),
                c.pid(), file(c), m.isPresent(), m.map(CredentialMetadata::held).orElse(false), modelEntries);
    }

    /** @return fingerprint and age, in words */
    String describe(CredentialMetadata m) {
        long days = m.ageDays(now);
        String age = days == 0 ? "today" : days == 1 ? "1 day ago" : days + " days ago";
        return "fingerprint " + m.fingerprint() + ", " + (m.rotated() == null ? "stored " : "rotated ") + age;
    }

    private String hint(String preset) {
        if (preset == null) {
            return null;
        }
        return presets.apply(preset).filter(Preset::template).map(Preset::setup).orElse(null);
    }

    /** @return the provider id of a configuration, or its PID when it has none (yet) */
    static String idOf(ConfigView c) {
        String id = ProviderIds.of(c.pid());
        return id == null ? c.pid() : id;
    }

    private static String file(ConfigView c) {
        String f = c.string("felix.fileinstall.filename");
        if (f == null) {
            return null;
        }
        int slash = Math.max(f.lastIndexOf('/'), f.lastIndexOf('\\'));
        return "deploy/" + f.substring(slash + 1);
    }

    static String[] models(Object v) {
        if (v instanceof String[] a) {
            return a;
        }
        if (v instanceof String s) {
            return Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toArray(String[]::new);
        }
        if (v instanceof java.util.Collection<?> l) {
            return l.stream().map(String::valueOf).toArray(String[]::new);
        }
        return new String[0];
    }

    /** @return the URL without a {@code user:password@} part, or null */
    static String withoutUserInfo(String url) {
        return url == null ? null : url.replaceFirst("^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@", "$1");
    }
}
