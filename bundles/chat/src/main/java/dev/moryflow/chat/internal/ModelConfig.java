package dev.moryflow.chat.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.moryflow.provider.Capability;
import dev.moryflow.provider.ModelInfo;
import dev.moryflow.provider.ProviderIds;

/**
 * One {@code moryflow.model} configuration, validated: the metadata a user gives one model of one provider. Each
 * field is optional except {@code provider} and {@code id}; an absent field leaves what the provider or the preset
 * catalog says. Immutable.
 */
final class ModelConfig {

    static final String PROVIDER = "provider";
    static final String ID = "id";
    static final String DISPLAY_NAME = "displayName";
    static final String CONTEXT_WINDOW = "contextWindow";
    static final String MAX_OUTPUT_TOKENS = "maxOutputTokens";
    static final String CAPABILITIES = "capabilities";

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
     * @throws IllegalArgumentException naming the field, the fault and the fix
     */
    static ModelConfig parse(String pid, Map<String, ?> p) {
        String provider = text(p.get(PROVIDER));
        if (provider == null || !ProviderIds.isValid(provider)) {
            throw new IllegalArgumentException(PROVIDER + " is " + (provider == null ? "missing" : "not a provider id")
                    + ": set it to the id of the provider serving the model, for example provider = groq "
                    + "(`moryflow:providers` lists them)");
        }
        String id = text(p.get(ID));
        if (id == null) {
            throw new IllegalArgumentException(ID + " is missing: set it to the model ID used in API calls, for "
                    + "example id = llama-3.3-70b-versatile");
        }
        Integer context = tokens(p, CONTEXT_WINDOW, "128000");
        Integer output = tokens(p, MAX_OUTPUT_TOKENS, "8192");
        if (context != null && output != null && context > 0 && output > context) {
            throw new IllegalArgumentException(MAX_OUTPUT_TOKENS + " (" + output + ") is larger than "
                    + CONTEXT_WINDOW + " (" + context + "): the answer is part of the context window; set "
                    + MAX_OUTPUT_TOKENS + " to at most " + context);
        }
        Set<Capability> caps = null;
        List<String> tags = list(p.get(CAPABILITIES));
        if (!tags.isEmpty()) {
            caps = EnumSet.noneOf(Capability.class);
            for (String t : tags) {
                Capability c = Capability.fromTag(t).orElse(null);
                if (c == null) {
                    throw new IllegalArgumentException(CAPABILITIES + ": \"" + oneLine(t) + "\" is not a known "
                            + "capability tag: use " + Capability.knownTags());
                }
                caps.add(c);
            }
        }
        return new ModelConfig(pid, provider, id, text(p.get(DISPLAY_NAME)), context, output, caps);
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

    private static Integer tokens(Map<String, ?> p, String key, String example) {
        Object v = p.get(key);
        if (v instanceof Number) {
            long n = ((Number) v).longValue();
            if (n < 0 || n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(key + " is " + n + ": set a positive number of tokens such as "
                        + key + " = " + example + ", or 0 when unknown");
            }
            return (int) n;
        }
        String s = text(v);
        if (s == null) {
            return null;
        }
        String digits = s.replace("_", "").replace(",", "");
        try {
            int n = Integer.parseInt(digits);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " = \"" + oneLine(s) + "\" is not a number of tokens: write a "
                    + "whole number such as " + key + " = " + example + ", or 0 when unknown");
        }
    }

    private static String text(Object v) {
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

    private static List<String> list(Object v) {
        List<Object> items = new ArrayList<>();
        if (v instanceof Object[]) {
            Collections.addAll(items, (Object[]) v);
        } else if (v instanceof Collection) {
            items.addAll((Collection<?>) v);
        } else if (v != null) {
            items.add(v);
        }
        List<String> out = new ArrayList<>();
        for (Object o : items) {
            if (o != null) {
                for (String part : String.valueOf(o).split("[,\\s]+")) {
                    if (!part.isBlank()) {
                        out.add(part.trim());
                    }
                }
            }
        }
        return out;
    }

    private static String oneLine(String s) {
        String t = s.replaceAll("\\s+", " ");
        return t.length() > 40 ? t.substring(0, 40) + "…" : t;
    }

    @Override
    public String toString() {
        return "model " + provider + "/" + id;
    }
}
