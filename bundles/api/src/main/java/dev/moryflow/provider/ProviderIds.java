package dev.moryflow.provider;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The rules for provider ids, shared by every bundle that needs them (provider bundles register under the id; the
 * credential store files keys under it; admin surfaces refuse what the rules refuse).
 * <ul>
 * <li>A provider is a <em>named</em> factory configuration: {@code moryflow.provider.openai~groq} (from the file
 * {@code deploy/moryflow.provider.openai-groq.cfg}, from {@code POST /api/providers}, or from a preset) has the id
 * {@code groq}. The id is chosen once and never derived again: renaming a provider changes only its {@code name}.</li>
 * <li>A configuration with a generated PID (the Web Console's "+" button) has no id yet: the credentials bundle gives
 * it one, from its {@code id} property or else from its {@code name}, and makes it the named configuration of that
 * id. Provider bundles never register it themselves.</li>
 * </ul>
 * A valid id is 1 to 64 letters, digits, {@code .}, {@code _} or {@code -}, starting with a letter or digit, and not
 * {@linkplain #isReserved reserved}. Ids never contain {@code :}, so no id can name a hub secret (their names start
 * with {@code hub:}).
 */
public final class ProviderIds {

    /** Prefix of every provider factory PID ({@code moryflow.provider.openai}, {@code moryflow.provider.anthropic}). */
    public static final String FACTORY_PREFIX = "moryflow.provider.";
    /** The property holding the id a Web Console user chose for a new provider. */
    public static final String ID_PROPERTY = "id";
    /** The rule, in words, for messages. */
    public static final String RULE = "a provider id is 1 to 64 letters, digits, '.', '_' or '-', starting with a "
            + "letter or digit (no spaces, '/', '~' or ':'), and not gateway.token";

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern NOT_ALLOWED = Pattern.compile("[^a-z0-9._-]+");
    private static final java.util.Set<String> RESERVED = java.util.Set.of("gateway.token");

    private ProviderIds() {
    }

    /**
     * @param pid a configuration PID ({@code service.pid})
     * @return the provider id a named factory configuration stands for (the part after the first {@code ~}), or null
     *         when the PID has no name part (a generated PID, or a plain configuration); may be invalid
     * @since 2.0
     */
    public static String of(String pid) {
        if (pid == null) {
            return null;
        }
        int tilde = pid.indexOf('~');
        return tilde >= 0 ? pid.substring(tilde + 1) : null;
    }

    /**
     * @param pid        a configuration PID
     * @param factoryPid its factory PID, or null
     * @return whether it is a provider factory configuration with a generated PID: one that still needs its id
     * @since 2.0
     */
    public static boolean isUnnamed(String pid, String factoryPid) {
        return factoryPid != null && factoryPid.startsWith(FACTORY_PREFIX) && pid != null && pid.indexOf('~') < 0;
    }

    /**
     * Why a provider configuration cannot stand for a provider, by its name alone.
     *
     * @param pid        the configuration PID
     * @param factoryPid its factory PID, or null
     * @param idProperty its {@code id} property, or null
     * @return null when the name gives a valid id (and an {@code id} property, if any, agrees), else the reason with
     *         the fix
     * @since 2.0
     */
    public static String refusal(String pid, String factoryPid, String idProperty) {
        String base = factoryPid != null ? factoryPid : pid;
        if (factoryPid == null) {
            return "configuration " + pid + " is not a provider: it has no provider id. Name its file " + base
                    + "-<id>.cfg (for example " + base + "-groq.cfg), or use the Web Console's + button";
        }
        String id = of(pid);
        if (id == null) {
            return "configuration " + pid + " has no provider id yet: the credentials bundle gives it one from its "
                    + "id or name (is the credentials bundle running?)";
        }
        if (!isValid(id)) {
            return "the provider id \"" + shorten(id) + "\" is not valid: " + RULE + ". Rename the file "
                    + factoryPid + "-<id>.cfg with a simple id such as groq";
        }
        if (idProperty != null && !idProperty.isBlank() && !idProperty.trim().equals(id)) {
            return "id = " + shorten(idProperty.trim()) + " does not match the provider id " + id + " given by the "
                    + "configuration's name " + pid + ": the id is chosen once; remove the id property";
        }
        return null;
    }

    /**
     * Why a provider configuration cannot stand for a provider, as {@link #refusal(String, String, String)} says,
     * and for a configuration made with a generated PID and an explicit {@code id}: why that id cannot be given.
     *
     * @param pid        the configuration PID
     * @param factoryPid its factory PID, or null
     * @param idProperty its {@code id} property, or null
     * @param taken      whether a provider id is already used by another configuration
     * @return null when nothing is wrong, else the reason with the fix
     * @since 2.0
     */
    public static String refusal(String pid, String factoryPid, String idProperty,
            java.util.function.Predicate<String> taken) {
        if (isUnnamed(pid, factoryPid) && idProperty != null && !idProperty.isBlank()) {
            String id = idProperty.trim();
            if (!isValid(id)) {
                return "its id \"" + shorten(id) + "\" is not valid: " + RULE;
            }
            if (taken.test(id)) {
                return "the provider id " + id + " is already used by another provider: choose another id";
            }
        }
        return refusal(pid, factoryPid, idProperty);
    }

    /**
     * @param name a display name
     * @return an id made from it (lower case; runs of other characters made one {@code -}), or {@code provider}
     *         when nothing is left; not checked for uniqueness
     * @since 2.0
     */
    public static String slug(String name) {
        String slug = name == null ? "" : NOT_ALLOWED.matcher(name.trim().toLowerCase(Locale.ROOT)).replaceAll("-");
        slug = slug.replaceAll("^[-._]+|-+$", "");
        if (slug.length() > 56) {
            slug = slug.substring(0, 56).replaceAll("[-._]+$", "");
        }
        return slug.isEmpty() ? "provider" : slug;
    }

    /**
     * @param id a provider id
     * @return whether it can be used: see {@link #RULE}
     */
    public static boolean isValid(String id) {
        return id != null && VALID.matcher(id).matches() && !isReserved(id);
    }

    /**
     * @param id a candidate provider id
     * @return whether it names something of the hub itself ({@code gateway.token}) and so cannot be a provider id
     * @since 2.0
     */
    public static boolean isReserved(String id) {
        return id != null && RESERVED.contains(id.toLowerCase(Locale.ROOT));
    }

    private static String shorten(String s) {
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
    /**
     * Escapes a value for an LDAP-style service filter, such as {@code (provider.id=<value>)}.
     *
     * @param value a property value, for example a provider id or a configuration PID
     * @return the value with {@code \\ * ( )} escaped
     * @since 1.1
     */
    public static String filterValue(String value) {
        StringBuilder sb = new StringBuilder(value.length());
        for (char c : value.toCharArray()) {
            if (c == '\\' || c == '*' || c == '(' || c == ')') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }
}
