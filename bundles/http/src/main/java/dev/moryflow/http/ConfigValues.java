package dev.moryflow.http;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import dev.moryflow.provider.Transport;
import okhttp3.Headers;
import okhttp3.HttpUrl;

/**
 * Reads the values of a provider's configuration the way every protocol bundle must: leniently, since a {@code .cfg}
 * file gives every value as a string ({@code models = a, b} is two models, {@code enabled = false} and
 * {@code timeoutSeconds = 30} are understood), and strictly where a value is unusable, with a
 * {@link SettingException} that names the property, the fault and the fix and never repeats a value that may be a
 * secret (a key pasted into {@code apiKeyEnv} or a {@code headers} value).
 *
 * @since 1.3
 */
public final class ConfigValues {

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private ConfigValues() {
    }

    /**
     * @param v a configuration value: a String, an array or collection (its first element), anything else as text
     * @return the value as trimmed text, or null when absent or blank
     */
    public static String string(Object v) {
        if (v instanceof String[]) {
            String[] a = (String[]) v;
            v = a.length == 0 ? null : a[0];
        } else if (v instanceof Collection) {
            Collection<?> c = (Collection<?>) v;
            v = c.isEmpty() ? null : c.iterator().next();
        }
        if (v == null) {
            return null;
        }
        String s = String.valueOf(v).trim();
        return s.isEmpty() ? null : s;
    }

    /**
     * @param v         a configuration value: a String, an array or a collection of them
     * @param separator what separates items inside one text, for example {@code ,} or {@code \n}
     * @return the non-blank items, trimmed, in order
     */
    public static List<String> list(Object v, String separator) {
        List<String> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        List<Object> items = new ArrayList<>();
        if (v instanceof Object[]) {
            Collections.addAll(items, (Object[]) v);
        } else if (v instanceof Collection) {
            items.addAll((Collection<?>) v);
        } else {
            items.add(v);
        }
        for (Object item : items) {
            if (item == null) {
                continue;
            }
            for (String part : String.valueOf(item).split(Pattern.quote(separator))) {
                String t = part.trim();
                if (!t.isEmpty()) {
                    out.add(t);
                }
            }
        }
        return out;
    }

    /**
     * @param p   the configuration
     * @param key the property
     * @param def its default when absent
     * @return the boolean, given as one or as {@code true}/{@code false} in any case
     * @throws SettingException when it is something else
     */
    public static boolean bool(Map<String, ?> p, String key, boolean def) throws SettingException {
        Object v = p.get(key);
        if (v instanceof Boolean) {
            return (Boolean) v;
        }
        String s = string(v);
        if (s == null) {
            return def;
        }
        if (s.equalsIgnoreCase("true")) {
            return true;
        }
        if (s.equalsIgnoreCase("false")) {
            return false;
        }
        throw new SettingException(key, key + " = \"" + Problems.oneLine(s, 20)
                + "\" is neither true nor false: write " + key + " = true or " + key + " = false");
    }

    /**
     * @param p   the configuration
     * @param key the property
     * @param def its default when absent
     * @return the whole number, given as a number or as its digits
     * @throws SettingException when it is something else
     */
    public static int integer(Map<String, ?> p, String key, int def) throws SettingException {
        Object v = p.get(key);
        if (v instanceof Number) {
            return ((Number) v).intValue();
        }
        String s = string(v);
        if (s == null) {
            return def;
        }
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new SettingException(key, key + " = \"" + Problems.oneLine(s, 20)
                    + "\" is not a whole number: write a number such as " + (def == 0 ? "60" : def));
        }
    }

    /**
     * @param p   the configuration
     * @param key the property of a timeout in seconds ({@code timeoutSeconds})
     * @return the timeout, 0 when absent (the hub's default)
     * @throws SettingException when it is negative or not a number
     */
    public static int timeoutSeconds(Map<String, ?> p, String key) throws SettingException {
        int t = integer(p, key, 0);
        if (t < 0) {
            throw new SettingException(key, key + " is " + t + ", which is negative: set a number of seconds such "
                    + "as 120, or 0 for the hub's default (readTimeoutSeconds of moryflow.http)");
        }
        return t;
    }

    /**
     * @param p       the configuration
     * @param key     the property naming an environment variable ({@code apiKeyEnv})
     * @param example a variable name to show in the fix, for example {@code GROQ_API_KEY}
     * @return the variable name, or null when absent
     * @throws SettingException when it is not a variable name (its value is not repeated: it may be the key itself)
     */
    public static String envName(Map<String, ?> p, String key, String example) throws SettingException {
        String name = string(p.get(key));
        if (name != null && !ENV_NAME.matcher(name).matches()) {
            throw new SettingException(key, key + " is not an environment variable name: set the name of the "
                    + "variable that holds the key, such as " + example + " (letters, digits and _; the key itself "
                    + "goes in apiKey)");
        }
        return name;
    }

    /**
     * Reads a base URL: http or https, without {@code user:password@}.
     *
     * @param p       the configuration
     * @param key     the property ({@code baseUrl})
     * @param example an address to show in the fix, for example {@code https://api.example.com/v1}
     * @return the URL
     * @throws SettingException when it is missing, does not parse, uses another scheme or carries credentials
     */
    public static HttpUrl baseUrl(Map<String, ?> p, String key, String example) throws SettingException {
        String raw = string(p.get(key));
        if (raw == null) {
            throw new SettingException(key, key + " is missing: set it to the API endpoint, for example " + key
                    + " = " + example);
        }
        HttpUrl url = HttpUrl.parse(raw);
        if (url == null) {
            int scheme = raw.indexOf("://");
            String shown = Problems.oneLine(Problems.redact(raw, null), 80);
            if (scheme > 0 && !raw.regionMatches(true, 0, "http", 0, 4)) {
                throw new SettingException(key, key + " \"" + shown + "\" uses " + raw.substring(0, scheme)
                        + "://: only http:// and https:// are supported; write it like " + example);
            }
            throw new SettingException(key, key + " \"" + shown + "\" is not a valid URL: write the full address "
                    + "with http:// or https://, for example " + example);
        }
        if (!url.username().isEmpty() || !url.password().isEmpty()) {
            throw new SettingException(key, key + " contains a user name or password: remove it from the URL and "
                    + "put the key in apiKey instead");
        }
        return url;
    }

    /**
     * @param url a base URL
     * @return it without query, credentials or trailing {@code /}, for logs and listings
     */
    public static String displayUrl(HttpUrl url) {
        String path = url.encodedPath();
        path = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1)
                : "/".equals(path) ? "" : path;
        return url.scheme() + "://" + url.host()
                + (url.port() == HttpUrl.defaultPort(url.scheme()) ? "" : ":" + url.port()) + path;
    }

    /**
     * @param base a base URL
     * @param path the path below it, for example {@code chat/completions}
     * @return the base URL with {@code path} appended (a trailing {@code /} of the base does not double)
     */
    public static HttpUrl endpoint(HttpUrl base, String path) {
        HttpUrl.Builder u = base.newBuilder();
        List<String> segments = base.pathSegments();
        if (!segments.isEmpty() && segments.get(segments.size() - 1).isEmpty()) {
            u.removePathSegment(segments.size() - 1);
        }
        return u.addPathSegments(path).build();
    }

    /**
     * Reads extra HTTP headers, each {@code Name: value}: the items of a String[], or lines of one text.
     *
     * @param p   the configuration
     * @param key the property ({@code headers})
     * @return the headers, empty when none
     * @throws SettingException when a line has no name, an invalid name, or a control or non-ASCII character in its
     *                          value (the value is not repeated: it may be a token)
     */
    public static Headers headers(Map<String, ?> p, String key) throws SettingException {
        Headers.Builder h = new Headers.Builder();
        int n = 0;
        for (String line : list(p.get(key), "\n")) {
            n++;
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new SettingException(key, key + " line " + n + " has no name before a ':': write each header "
                        + "as Name: value, for example X-Team: research");
            }
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (!TOKEN.matcher(name).matches()) {
                throw new SettingException(key, key + " line " + n + ": \"" + Problems.oneLine(name, 40)
                        + "\" is not a valid header name: use letters, digits and -, for example X-Team: research");
            }
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if ((c < 0x20 && c != '\t') || c >= 0x7f) {
                    throw new SettingException(key, key + " line " + n + " (" + name + "): the value contains a "
                            + "control or non-ASCII character: remove it");
                }
            }
            h.add(name, value);
        }
        return h.build();
    }

    /**
     * @param host a host name or address
     * @return whether it is this machine ({@code localhost}, {@code *.localhost}, {@code 127.x}, {@code ::1})
     */
    public static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.equals("localhost") || h.endsWith(".localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")
                || h.equals("0.0.0.0")) {
            return true;
        }
        return h.startsWith("127.") && h.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    }

    /**
     * @param url           the base URL
     * @param allowInsecure whether plain http to another machine is allowed ({@code allowInsecure})
     * @return how requests to it travel
     */
    public static Transport transport(HttpUrl url, boolean allowInsecure) {
        return isLoopback(url.host()) ? Transport.LOCAL : url.isHttps() ? Transport.HTTPS
                : allowInsecure ? Transport.INSECURE_ALLOWED : Transport.INSECURE_REFUSED;
    }
}
