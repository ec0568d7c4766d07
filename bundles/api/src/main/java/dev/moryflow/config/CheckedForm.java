package dev.moryflow.config;

import java.util.Collections;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A form as the user filled it in, checked: what was typed in each field (trimmed; never a key), the error of each
 * field that is wrong (naming the field, the fault and the fix), and, when nothing is wrong, the configuration
 * properties it makes, typed as the reading bundle's Metatype says. Immutable.
 */
public final class CheckedForm {

    private static final CheckedForm EMPTY = new CheckedForm(Map.of(), Map.of(), null);

    private final Map<String, String> values;
    private final Map<String, String> errors;
    private final Hashtable<String, Object> properties;

    /**
     * @param values     each field's text, in form order
     * @param errors     each wrong field's error, in form order
     * @param properties the configuration properties; ignored when there are errors
     */
    CheckedForm(Map<String, String> values, Map<String, String> errors, Hashtable<String, Object> properties) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.errors = Collections.unmodifiableMap(new LinkedHashMap<>(errors));
        this.properties = errors.isEmpty() && properties != null ? new Hashtable<>(properties) : null;
    }

    /** @return a form nothing was typed into, for a first showing */
    public static CheckedForm empty() {
        return EMPTY;
    }

    /** @return whether every field is right */
    public boolean valid() {
        return errors.isEmpty() && properties != null;
    }

    /**
     * @param field a field (property) name
     * @return what was typed in it, trimmed; empty when nothing
     */
    public String value(String field) {
        return values.getOrDefault(field, "");
    }

    /**
     * @param field a field (property) name
     * @return its error, or null when it is right
     */
    public String error(String field) {
        return errors.get(field);
    }

    /** @return every wrong field's error, in form order */
    public Map<String, String> errors() {
        return errors;
    }

    /** @return the first wrong field in form order, or null */
    public String firstInvalid() {
        return errors.isEmpty() ? null : errors.keySet().iterator().next();
    }

    /** @return the first error in form order (as the log names it), or null */
    public String firstError() {
        return errors.isEmpty() ? null : errors.values().iterator().next();
    }

    /**
     * @return a copy of the configuration properties the form makes; never a key
     * @throws IllegalStateException when the form has errors
     */
    public Hashtable<String, Object> properties() {
        if (!valid()) {
            throw new IllegalStateException("the form has errors: " + errors);
        }
        return new Hashtable<>(properties);
    }

    @Override
    public String toString() {
        return "CheckedForm[" + values + (errors.isEmpty() ? "" : ", errors " + errors.keySet()) + "]";
    }
}
