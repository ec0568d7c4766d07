package dev.moryflow.config;

import java.util.EnumSet;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import dev.moryflow.provider.Capability;
import dev.moryflow.provider.ProviderIds;

/**
 * The checks of a {@code moryflow.model} factory configuration (the metadata of one model of one provider), as the
 * chat bundle applies them when it reads one and as the admin surfaces apply them before they write one (the Web
 * Console's Add Model, {@code moryflow:model-add}). Every field is optional except {@value #PROVIDER} and
 * {@value #ID}.
 */
public final class ModelForm {

    /** The factory PID of model entries. */
    public static final String FACTORY_PID = "moryflow.model";
    /** Property: the id of the provider serving the model. */
    public static final String PROVIDER = "provider";
    /** Property: the model id used in API calls. */
    public static final String ID = "id";
    /** Property: the name shown in interfaces. */
    public static final String DISPLAY_NAME = "displayName";
    /** Property: the context window in tokens (Integer; 0 unknown). */
    public static final String CONTEXT_WINDOW = "contextWindow";
    /** Property: the longest answer in tokens (Integer; 0 unknown). */
    public static final String MAX_OUTPUT_TOKENS = "maxOutputTokens";
    /** Property: the capability tags (String[], see {@link Capability}). */
    public static final String CAPABILITIES = "capabilities";

    private static final String[] FIELDS = { PROVIDER, ID, DISPLAY_NAME, CONTEXT_WINDOW, MAX_OUTPUT_TOKENS,
        CAPABILITIES };

    private ModelForm() {
    }

    /**
     * Checks a model entry.
     *
     * @param p the form fields or configuration properties: text, numbers, or (capabilities) an array or collection
     *          of tags, each possibly a comma or space separated list
     * @return the checked form; when valid, its properties hold {@value #PROVIDER}, {@value #ID} and those of the
     *         other fields that were given: {@value #DISPLAY_NAME} (String), {@value #CONTEXT_WINDOW} and
     *         {@value #MAX_OUTPUT_TOKENS} (Integer), {@value #CAPABILITIES} (String[] of tags, in
     *         {@link Capability} order)
     */
    public static CheckedForm check(Map<String, ?> p) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String f : FIELDS) {
            values.put(f, f.equals(CAPABILITIES) ? String.join(", ", Values.list(p.get(f), "[,\\s]+"))
                    : Objects.toString(Values.text(p.get(f)), ""));
        }
        Map<String, String> errors = new LinkedHashMap<>();
        Hashtable<String, Object> props = new Hashtable<>();
        String provider = Values.text(p.get(PROVIDER));
        if (provider == null || !ProviderIds.isValid(provider)) {
            errors.put(PROVIDER, PROVIDER + " is " + (provider == null ? "missing" : "not a provider id")
                    + ": set it to the id of the provider serving the model, for example provider = groq "
                    + "(`moryflow:providers` lists them)");
        } else {
            props.put(PROVIDER, provider);
        }
        String id = Values.text(p.get(ID));
        if (id == null) {
            errors.put(ID, ID + " is missing: set it to the model ID used in API calls, for example "
                    + "id = llama-3.3-70b-versatile");
        } else {
            props.put(ID, id);
        }
        String displayName = Values.text(p.get(DISPLAY_NAME));
        if (displayName != null) {
            props.put(DISPLAY_NAME, displayName);
        }
        Integer context = tokens(p, CONTEXT_WINDOW, "128000", errors, props);
        Integer output = tokens(p, MAX_OUTPUT_TOKENS, "8192", errors, props);
        if (context != null && output != null && context > 0 && output > context) {
            errors.put(MAX_OUTPUT_TOKENS, MAX_OUTPUT_TOKENS + " (" + output + ") is larger than " + CONTEXT_WINDOW
                    + " (" + context + "): the answer is part of the context window; set " + MAX_OUTPUT_TOKENS
                    + " to at most " + context);
        }
        List<String> tags = Values.list(p.get(CAPABILITIES), "[,\\s]+");
        if (!tags.isEmpty()) {
            Set<Capability> caps = EnumSet.noneOf(Capability.class);
            for (String t : tags) {
                Capability c = Capability.fromTag(t).orElse(null);
                if (c == null) {
                    errors.put(CAPABILITIES, CAPABILITIES + ": \"" + Values.oneLine(t, 40) + "\" is not a known "
                            + "capability tag: use " + Capability.knownTags());
                    break;
                }
                caps.add(c);
            }
            props.put(CAPABILITIES, caps.stream().map(Capability::tag).toArray(String[]::new));
        }
        return new CheckedForm(values, errors, props);
    }

    /**
     * @param tags capability tags as a configuration holds them ({@link #check} made them valid)
     * @return the capabilities, or null when none are given
     */
    public static Set<Capability> capabilities(Object tags) {
        List<String> list = Values.list(tags, "[,\\s]+");
        if (list.isEmpty()) {
            return null;
        }
        Set<Capability> caps = EnumSet.noneOf(Capability.class);
        list.forEach(t -> Capability.fromTag(t).ifPresent(caps::add));
        return caps;
    }

    private static Integer tokens(Map<String, ?> p, String key, String example, Map<String, String> errors,
            Hashtable<String, Object> props) {
        Object v = p.get(key);
        Integer n = null;
        if (v instanceof Number number) {
            long l = number.longValue();
            if (l < 0 || l > Integer.MAX_VALUE) {
                errors.put(key, key + " is " + l + ": set a positive number of tokens such as " + key + " = "
                        + example + ", or 0 when unknown");
                return null;
            }
            n = (int) l;
        } else {
            String s = Values.text(v);
            if (s == null) {
                return null;
            }
            try {
                n = Integer.parseInt(s.replace("_", "").replace(",", ""));
                if (n < 0) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                errors.put(key, key + " = \"" + Values.oneLine(s, 40) + "\" is not a number of tokens: write a "
                        + "whole number such as " + key + " = " + example + ", or 0 when unknown");
                return null;
            }
        }
        props.put(key, n);
        return n;
    }
}
