package dev.moryflow.chat.internal;

import java.util.Collections;
import java.util.Map;
import java.util.Set;

import dev.moryflow.config.CheckedForm;
import dev.moryflow.config.ModelForm;
import dev.moryflow.provider.Capability;
import dev.moryflow.provider.ModelInfo;

/**
 * One {@code moryflow.model} configuration, validated: the metadata a user gives one model of one provider. Each
 * field is optional except {@code provider} and {@code id}; an absent field leaves what the provider or the preset
 * catalog says. Immutable.
 */
final class ModelConfig {

    static final String PROVIDER = ModelForm.PROVIDER;
    static final String ID = ModelForm.ID;
    static final String DISPLAY_NAME = ModelForm.DISPLAY_NAME;
    static final String CONTEXT_WINDOW = ModelForm.CONTEXT_WINDOW;
    static final String MAX_OUTPUT_TOKENS = ModelForm.MAX_OUTPUT_TOKENS;
    static final String CAPABILITIES = ModelForm.CAPABILITIES;

    final String pid;
    final String provider;
    final String id;
    final String displayName;
    final Integer contextWindow;
    final Integer maxOutputTokens;
    final Set<Capability> capabilities;

    private ModelConfig(String pid, String provider, String id, String displayName, Integer contextWindow,
            Integer maxOutputTokens, Set<Capability> capabilities) {
        this.pid = pid;
        this.provider = provider;
        this.id = id;
        this.displayName = displayName;
        this.contextWindow = contextWindow;
        this.maxOutputTokens = maxOutputTokens;
        this.capabilities = capabilities == null ? null : Collections.unmodifiableSet(capabilities);
    }

    /**
     * @param pid the configuration's PID, for messages
     * @param p   the configuration properties
     * @return the validated configuration
     * @throws IllegalArgumentException naming the field, the fault and the fix ({@link ModelForm}'s first error,
     *                                  the words the Web Console and the shell show too)
     */
    static ModelConfig parse(String pid, Map<String, ?> p) {
        CheckedForm f = ModelForm.check(p);
        if (!f.valid()) {
            throw new IllegalArgumentException(f.firstError());
        }
        Map<String, Object> v = f.properties();
        return new ModelConfig(pid, (String) v.get(PROVIDER), (String) v.get(ID), (String) v.get(DISPLAY_NAME),
                (Integer) v.get(CONTEXT_WINDOW), (Integer) v.get(MAX_OUTPUT_TOKENS),
                ModelForm.capabilities(v.get(CAPABILITIES)));
    }

    /**
     * Lays this configuration over what is known already.
     *
     * @param known the metadata from the provider or the catalog, or null
     * @return the merged metadata
     */
    ModelInfo over(ModelInfo known) {
        return new ModelInfo(id,
                displayName != null ? displayName : known == null ? null : known.displayName(),
                contextWindow != null ? contextWindow : known == null ? ModelInfo.UNKNOWN : known.contextWindow(),
                maxOutputTokens != null ? maxOutputTokens
                        : known == null ? ModelInfo.UNKNOWN : known.maxOutputTokens(),
                capabilities != null ? capabilities : known == null ? null : known.capabilities());
    }

    @Override
    public String toString() {
        return "model " + provider + "/" + id;
    }
}
