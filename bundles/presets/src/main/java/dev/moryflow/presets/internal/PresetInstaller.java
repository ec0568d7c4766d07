package dev.moryflow.presets.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Dictionary;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.moryflow.provider.ModelInfo;
import dev.moryflow.provider.Preset;
import dev.moryflow.provider.PresetCatalog;
import dev.moryflow.provider.ProviderIds;

/**
 * Makes a {@code moryflow.provider.openai} factory configuration (named by the preset id, with {@code preset} set)
 * for every catalog preset the user has not had yet. What was made is remembered in this component's own
 * configuration ({@code moryflow.presets}, property {@code created}), so a preset the user deleted is not brought
 * back and one the user changed is never touched again.
 */
@Component(name = PresetInstaller.PID, configurationPid = PresetInstaller.PID, service = {}, immediate = true)
@Designate(ocd = PresetInstaller.Config.class)
public class PresetInstaller {

    /** This component's PID. */
    public static final String PID = "moryflow.presets";
    /** The provider factory PID the presets become configurations of. */
    static final String PROVIDER_PID = "moryflow.provider.openai";
    /** Ranking of preset providers: below the default 0, so a provider the user made wins a shared model id. */
    static final int PRESET_RANKING = -1;

    /** The presets form in the Web Console. */
    @ObjectClassDefinition(id = PID, name = "MoryFlow presets",
            description = "Well-known AI services ready to use: each becomes an OpenAI-compatible provider "
                    + "configuration once; delete one to remove it for good.")
    public @interface Config {

        /** @return whether missing presets are made at start */
        @AttributeDefinition(name = "Create presets", description = "Make a provider configuration for every "
                + "preset not made before. Clear to add no more presets.")
        boolean createPresets() default true;

        /** @return the presets made so far */
        @AttributeDefinition(name = "Presets made", required = false, description = "The presets already made "
                + "(or found already configured); they are not made again, even after you delete them. Remove an "
                + "id here to have that preset made again.")
        String[] created();
    }

    private final Logger logger = LoggerFactory.getLogger(PresetInstaller.class);
    private final ConfigurationAdmin configAdmin;
    private final PresetCatalog catalog;

    /**
     * @param configAdmin where configurations are made
     * @param catalog     the presets
     * @param config      this component's configuration
     */
    @Activate
    public PresetInstaller(@Reference ConfigurationAdmin configAdmin, @Reference PresetCatalog catalog,
            Map<String, Object> config) {
        this.configAdmin = configAdmin;
        this.catalog = catalog;
        install(config);
    }

    @Modified
    void modified(Map<String, Object> config) {
        install(config);
    }

    private void install(Map<String, Object> config) {
        if (Boolean.FALSE.equals(bool(config.get("createPresets")))) {
            logger.info("Presets are not created (createPresets = false in {})", PID);
            return;
        }
        try {
            Set<String> made = new HashSet<>(strings(config.get("created")));
            PresetPlan plan = PresetPlan.of(catalog.presets(), made, existingProviders());
            List<String> createdNow = new ArrayList<>();
            for (Preset p : plan.toCreate()) {
                Configuration c = configAdmin.getFactoryConfiguration(PROVIDER_PID, p.id(), "?");
                if (c.getProperties() == null) {
                    c.update(properties(p));
                    createdNow.add(p.id());
                }
            }
            if (!plan.made().equals(made)) {
                remember(plan.made());
            }
            if (!createdNow.isEmpty()) {
                logger.info("Presets created: {} (set a key to use one: moryflow:presets lists what each needs)",
                        createdNow);
            }
        } catch (IOException | InvalidSyntaxException e) {
            logger.warn("Presets could not be created: {}", e.toString());
        }
    }

    /** @return the provider ids, and the presets they were made from, of every provider configuration */
    private Set<String> existingProviders() throws IOException, InvalidSyntaxException {
        Set<String> ids = new HashSet<>();
        Configuration[] all = configAdmin.listConfigurations(
                "(" + ConfigurationAdmin.SERVICE_FACTORYPID + "=" + PROVIDER_PID + ")");
        for (Configuration c : all == null ? new Configuration[0] : all) {
            Dictionary<String, Object> p = c.getProperties();
            String id = ProviderIds.of(c.getPid());
            if (id != null) {
                ids.add(id);
            }
            Object preset = p == null ? null : p.get("preset");
            if (preset instanceof String) {
                ids.add((String) preset);
            }
        }
        return ids;
    }

    private void remember(Set<String> made) throws IOException {
        Configuration own = configAdmin.getConfiguration(PID, "?");
        Dictionary<String, Object> p = own.getProperties();
        Hashtable<String, Object> next = new Hashtable<>();
        if (p != null) {
            for (String k : java.util.Collections.list(p.keys())) {
                next.put(k, p.get(k));
            }
        }
        String[] sorted = made.toArray(new String[0]);
        Arrays.sort(sorted);
        next.put("created", sorted);
        own.updateIfDifferent(next);
    }

    /** @return the provider configuration made from a preset */
    static Hashtable<String, Object> properties(Preset p) {
        Hashtable<String, Object> c = new Hashtable<>();
        c.put("name", p.name());
        c.put("baseUrl", p.baseUrl());
        c.put("dialect", p.dialect());
        if (p.apiVersion() != null) {
            c.put("apiVersion", p.apiVersion());
        }
        if (p.apiKeyEnv() != null) {
            c.put("apiKeyEnv", p.apiKeyEnv());
        }
        c.put("models", p.models().stream().map(ModelInfo::id).toArray(String[]::new));
        c.put("preset", p.id());
        c.put("enabled", !p.template());
        c.put(Constants.SERVICE_RANKING, PRESET_RANKING);
        return c;
    }

    private static Boolean bool(Object v) {
        if (v instanceof Boolean) {
            return (Boolean) v;
        }
        return v == null ? null : Boolean.valueOf(String.valueOf(v).trim());
    }

    private static List<String> strings(Object v) {
        List<String> out = new ArrayList<>();
        if (v instanceof String[]) {
            out.addAll(Arrays.asList((String[]) v));
        } else if (v instanceof Collection) {
            ((Collection<?>) v).forEach(o -> out.add(String.valueOf(o)));
        } else if (v instanceof String) {
            for (String s : ((String) v).split(",")) {
                if (!s.isBlank()) {
                    out.add(s.trim());
                }
            }
        }
        return out;
    }
}
