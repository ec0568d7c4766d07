package dev.moryflow.http.internal;

import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.moryflow.http.HttpClients;

/**
 * The {@code moryflow.http} configuration, read leniently: numbers may come as strings (from {@code .cfg} files). A
 * value that cannot be used is replaced by its default and described in {@link #problems()}, so a typo never takes
 * the hub's HTTP client away. Never shows the proxy password.
 */
final class HttpSettings {

    static final int DEFAULT_CONNECT_TIMEOUT = 10;
    static final int DEFAULT_READ_TIMEOUT = 120;
    static final int MAX_RETRIES = 10;
    static final int MAX_MIB = 2047;

    private final Proxy proxy;
    private final String proxyUrl;
    private final String proxyUser;
    private final String proxyPassword;
    private final int connectTimeoutSeconds;
    private final int readTimeoutSeconds;
    private final int retries;
    private final int maxAnswerMiB;
    private final int maxEventMiB;
    private final List<String> problems;

    private HttpSettings(Proxy proxy, String proxyUrl, String proxyUser, String proxyPassword, int connect, int read,
            int retries, int maxAnswerMiB, int maxEventMiB, List<String> problems) {
        this.proxy = proxy;
        this.proxyUrl = proxyUrl;
        this.proxyUser = proxyUser;
        this.proxyPassword = proxyPassword;
        this.connectTimeoutSeconds = connect;
        this.readTimeoutSeconds = read;
        this.retries = retries;
        this.maxAnswerMiB = maxAnswerMiB;
        this.maxEventMiB = maxEventMiB;
        this.problems = List.copyOf(problems);
    }

    static HttpSettings defaults() {
        return from(Map.of());
    }

    static HttpSettings from(Map<String, ?> properties) {
        List<String> problems = new ArrayList<>();
        int connect = seconds(properties, HttpClients.PROP_CONNECT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, problems);
        int read = seconds(properties, HttpClients.PROP_READ_TIMEOUT, DEFAULT_READ_TIMEOUT, problems);
        int retries = integer(properties, HttpClients.PROP_RETRIES, 0, problems);
        if (retries < 0 || retries > MAX_RETRIES) {
            problems.add(HttpClients.PROP_RETRIES + " = " + retries + " is out of range: set a number from 0 to "
                    + MAX_RETRIES + " (using 0)");
            retries = 0;
        }
        int maxAnswer = mib(properties, HttpClients.PROP_MAX_ANSWER_MIB, HttpClients.DEFAULT_MAX_ANSWER_MIB, problems);
        int maxEvent = mib(properties, HttpClients.PROP_MAX_EVENT_MIB, HttpClients.DEFAULT_MAX_EVENT_MIB, problems);
        String raw = string(properties.get(HttpClients.PROP_PROXY));
        Proxy proxy = null;
        String shown = null;
        String user = null;
        String password = null;
        if (raw != null && !raw.isBlank()) {
            String value = raw.trim();
            try {
                URI uri = new URI(value.contains("://") ? value : "http://" + value);
                String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
                Proxy.Type type;
                if (scheme.equals("http")) {
                    type = Proxy.Type.HTTP;
                } else if (scheme.equals("socks") || scheme.equals("socks5") || scheme.equals("socks4")) {
                    type = Proxy.Type.SOCKS;
                } else if (scheme.equals("https")) {
                    throw new IllegalArgumentException("proxies are reached with plain http://, not https:// (the "
                            + "calls through it are still encrypted end to end): write http://" + hostPort(uri));
                } else {
                    throw new IllegalArgumentException("unknown scheme " + scheme + ": write http://host:port or "
                            + "socks5://host:port");
                }
                if (uri.getHost() == null) {
                    throw new IllegalArgumentException("it has no host: write http://host:port, for example "
                            + "http://proxy:3128");
                }
                int port = uri.getPort() > 0 ? uri.getPort() : type == Proxy.Type.HTTP ? 80 : 1080;
                if (uri.getRawUserInfo() != null) {
                    if (type != Proxy.Type.HTTP) {
                        throw new IllegalArgumentException("user and password are supported for http:// proxies "
                                + "only");
                    }
                    String info = uri.getRawUserInfo();
                    int colon = info.indexOf(':');
                    user = URLDecoder.decode(colon < 0 ? info : info.substring(0, colon), StandardCharsets.UTF_8);
                    password = colon < 0 ? "" : URLDecoder.decode(info.substring(colon + 1), StandardCharsets.UTF_8);
                }
                proxy = new Proxy(type, InetSocketAddress.createUnresolved(uri.getHost(), port));
                shown = scheme + "://" + (user == null ? "" : "***@") + uri.getHost() + ":" + port;
            } catch (URISyntaxException | IllegalArgumentException e) {
                String why = e instanceof URISyntaxException ? "it is not a URL" : e.getMessage();
                problems.add(HttpClients.PROP_PROXY + " is not usable (" + why
                        + "); set it to http://host:port, for example http://proxy:3128, or leave it empty "
                        + "(connecting directly meanwhile)");
                proxy = null;
                user = null;
                password = null;
            }
        }
        return new HttpSettings(proxy, shown, user, password, connect, read, retries, maxAnswer, maxEvent, problems);
    }

    private static String hostPort(URI uri) {
        return uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
    }

    private static int mib(Map<String, ?> p, String key, int def, List<String> problems) {
        int v = integer(p, key, def, problems);
        if (v < 1 || v > MAX_MIB) {
            problems.add(key + " = " + v + " is out of range: set a size in MiB from 1 to " + MAX_MIB + " (using "
                    + def + ")");
            return def;
        }
        return v;
    }

    private static int seconds(Map<String, ?> p, String key, int def, List<String> problems) {
        int v = integer(p, key, def, problems);
        if (v < 0) {
            problems.add(key + " = " + v + " is negative: set a number of seconds, 0 for no limit (using " + def
                    + ")");
            return def;
        }
        return v;
    }

    private static int integer(Map<String, ?> p, String key, int def, List<String> problems) {
        Object v = p.get(key);
        if (v instanceof Number) {
            return ((Number) v).intValue();
        }
        String s = string(v);
        if (s == null || s.isBlank()) {
            return def;
        }
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            problems.add(key + " = \"" + s + "\" is not a whole number: set a number such as " + def + " (using "
                    + def + ")");
            return def;
        }
    }

    private static String string(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof String[]) {
            String[] a = (String[]) v;
            return a.length == 0 ? null : a[0];
        }
        if (v instanceof Collection) {
            Collection<?> c = (Collection<?>) v;
            return c.isEmpty() ? null : String.valueOf(c.iterator().next());
        }
        return String.valueOf(v);
    }

    /** @return the proxy, or null to use the JVM's default proxy selection */
    Proxy proxy() {
        return proxy;
    }

    /** @return the proxy user, or null when the proxy needs none */
    String proxyUser() {
        return proxyUser;
    }

    /** @return the proxy password, or null; never shown */
    String proxyPassword() {
        return proxyPassword;
    }

    int connectTimeoutSeconds() {
        return connectTimeoutSeconds;
    }

    int readTimeoutSeconds() {
        return readTimeoutSeconds;
    }

    int retries() {
        return retries;
    }

    long maxAnswerBytes() {
        return maxAnswerMiB * 1024L * 1024;
    }

    long maxEventBytes() {
        return maxEventMiB * 1024L * 1024;
    }

    /** @return each unusable value: the field, what is wrong and the fix */
    List<String> problems() {
        return problems;
    }

    /** @return the settings in words, without the proxy password */
    @Override
    public String toString() {
        return "proxy " + (proxyUrl == null ? "none" : proxyUrl) + ", connect timeout " + connectTimeoutSeconds
                + " s, read timeout " + readTimeoutSeconds + " s, retries " + retries + ", answers up to "
                + maxAnswerMiB + " MiB, stream events up to " + maxEventMiB + " MiB";
    }
}
