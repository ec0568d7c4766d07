package dev.moryflow.provider;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The rule that turns a provider's factory configuration into its provider id, shared by every bundle that needs it
 * (provider bundles register under it; the credential store files keys under it).
 * <ul>
 * <li>A named factory configuration {@code moryflow.provider.openai~groq} (from the file
 * {@code deploy/moryflow.provider.openai-groq.cfg}, or Config Admin's {@code getFactoryConfiguration}) has the id
 * {@code groq}.</li>
 * <li>A configuration with a generated PID (the Web Console's "+" button) takes its id from its {@code name}
 * property, lower-cased, with every run of characters other than letters, digits, {@code .}, {@code _} and
 * {@code -} made one {@code -}; without a name, from the generated suffix of the PID.</li>
 * </ul>
 * A valid id is not blank and contains no {@code /}, no white space and no {@code ~}.
 */
public final class ProviderIds {

    private static final Pattern VALID = Pattern.compile("[^/\\s~]+");
    private static final Pattern NOT_ALLOWED = Pattern.compile("[^a-z0-9._-]+");

    private ProviderIds() {
    }

    /**
     * @param pid        the configuration's PID ({@code service.pid})
     * @param factoryPid the configuration's factory PID, or null
     * @param name       the configuration's {@code name} property, or null
     * @return the provider id; may be invalid (check with {@link #isValid(String)})
     */
    public static String fromConfiguration(String pid, String factoryPid, String name) {
        if (pid == null) {
            throw new IllegalArgumentException("pid must not be null");
        }
        int tilde = pid.indexOf('~');
        if (tilde >= 0) {
            return pid.substring(tilde + 1);
        }
        if (name != null && !name.isBlank()) {
            String slug = NOT_ALLOWED.matcher(name.trim().toLowerCase(Locale.ROOT)).replaceAll("-");
            slug = slug.replaceAll("^-+|-+$", "");
            if (!slug.isEmpty()) {
                return slug;
            }
        }
        if (factoryPid != null && pid.startsWith(factoryPid + ".") && pid.length() > factoryPid.length() + 1) {
            return pid.substring(factoryPid.length() + 1);
        }
        return pid;
    }

    /**
     * @param id a provider id
     * @return whether it can be used: not blank, no {@code /}, white space or {@code ~}
     */
    public static boolean isValid(String id) {
        return id != null && VALID.matcher(id).matches();
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
