package dev.moryflow.gateway.internal;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The rules of {@link AdminSurfaceGuard}, on plain values so that they can be tested without a server.
 * <ul>
 * <li><b>Host</b> (every request): the Host header's host must be a name or address of this hub: a loopback name
 * ({@code localhost}, {@code *.localhost}, {@code 127.0.0.0/8}, {@code ::1}), the bound host, the address the
 * request came in on, when bound to every interface this machine's own names, and the {@code allowedHosts} of
 * {@code moryflow.gateway}. Anything else is a DNS rebinding attempt, or a name the user has to allow. A request
 * without a Host header (HTTP/1.0) passes.</li>
 * <li><b>Origin</b> (every method but GET, HEAD, OPTIONS, TRACE): an {@code Origin} header must be the hub's own
 * origin (scheme, an allowed host, the port the request came in on); {@code Origin: null} is refused; without
 * {@code Origin} a {@code Referer} must be from the hub's own origin. Under {@code /v1} an origin listed in the
 * gateway's {@code cors} passes too. A request with neither header (curl, SDKs) is not cross-site and passes.</li>
 * </ul>
 * Immutable and thread-safe; it never resolves a name (IP literals are parsed, not looked up).
 */
final class GuardRules {

    /** Methods that do not change anything, whatever their origin. */
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");
    /** Where the Felix Web Console is served ({@code felix.webconsole.manager.root} in this runtime). */
    private static final String CONSOLE = "/system/console";
    /** Query parameters with which a Web Console GET changes something (its ConfigManager treats it as a POST). */
    private static final Set<String> CONSOLE_POST_PARAMETERS = Set.of("post", "action", "apply", "delete",
            "propertylist");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("(?=[^%]*:)[0-9a-f:][0-9a-f:.]*(%[0-9a-z._-]+)?");
    private static final int SHOWN_CHARS = 120;
    private static final String FIX_HOST = "add it to the allowedHosts property of configuration moryflow.gateway "
            + "(Web Console: OSGi > Configuration > MoryFlow gateway, or a line 'allowedHosts = <name>' in "
            + "deploy/moryflow.gateway.cfg)";

    /** One request, as far as the rules look at it. Headers are {@code null} when absent. */
    record Request(String method, String path, String scheme, int localPort, String localAddress, String host,
            String origin, String referer, String query, String fetchSite) {

        Request(String method, String path, String scheme, int localPort, String localAddress, String host,
                String origin, String referer) {
            this(method, path, scheme, localPort, localAddress, host, origin, referer, null, null);
        }
    }

    /**
     * What to do with a request.
     *
     * @param allowed whether the request may go on
     * @param code    the error code of a refusal ({@code host_not_allowed}, {@code cross_origin_refused})
     * @param message a refusal's message: what was refused, why, and the fix
     * @param refused the refused host or origin (shortened, printable), for the log and its rate limit
     */
    record Verdict(boolean allowed, String code, String message, String refused) {
        static final Verdict ALLOW = new Verdict(true, null, null, null);

        static Verdict refuse(String code, String message, String refused) {
            return new Verdict(false, code, message, refused);
        }
    }

    private final Set<String> names;
    private final Set<InetAddress> addresses;
    private final boolean wildcard;
    private final Supplier<Set<String>> machineNames;
    private final Set<String> corsOrigins;

    /**
     * @param boundHost    the host the HTTP server is bound to ({@code org.apache.felix.http.host}); {@code null},
     *                     empty, {@code 0.0.0.0} or {@code ::}: every interface
     * @param allowedHosts further host names or addresses the user allows (an entry may list several, separated
     *                     by commas or spaces)
     * @param machineNames this machine's own names and addresses, asked only when bound to every interface
     * @param corsOrigins  origins whose pages may call {@code /v1} (the gateway's {@code cors})
     */
    GuardRules(String boundHost, Iterable<String> allowedHosts, Supplier<Set<String>> machineNames,
            Iterable<String> corsOrigins) {
        Set<String> n = new HashSet<>();
        Set<InetAddress> a = new HashSet<>();
        String bound = boundHost == null ? "" : normalize(boundHost);
        this.wildcard = bound.isEmpty() || isWildcard(bound);
        if (!wildcard) {
            add(bound, n, a);
        }
        for (String entry : allowedHosts) {
            // a .cfg file gives one text: "a, b" is two hosts
            for (String h : entry == null ? new String[0] : entry.split("[,\\s]+")) {
                if (!h.isBlank()) {
                    add(normalize(h), n, a);
                }
            }
        }
        this.names = Set.copyOf(n);
        this.addresses = Set.copyOf(a);
        this.machineNames = machineNames;
        Set<String> c = new HashSet<>();
        for (String o : corsOrigins) {
            if (o != null && !o.isBlank()) {
                c.add(stripSlash(o.trim()).toLowerCase(Locale.ROOT));
            }
        }
        this.corsOrigins = Set.copyOf(c);
    }

    /** Adds an allowed host: an IP literal by its address (so that every spelling of it matches), a name as is. */
    private static void add(String host, Set<String> names, Set<InetAddress> addresses) {
        InetAddress a = literal(host);
        if (a != null) {
            addresses.add(a);
        } else {
            names.add(host);
        }
    }

    /** @return whether the request may go on, and if not the answer's code and message */
    Verdict check(Request r) {
        if (r.host() != null) {
            String host = hostOf(r.host());
            if (host == null || !allowedHost(host, r.localAddress())) {
                String shown = shown(r.host());
                return Verdict.refuse("host_not_allowed", "Refused a request for host '" + shown + "': it is not a "
                        + "name or address of this hub, so the request may come from a web page that had its name "
                        + "point at this machine (DNS rebinding). If you reach the hub under this name on purpose, "
                        + FIX_HOST + ".", shown);
            }
        }
        if (!changesState(r)) {
            return Verdict.ALLOW;
        }
        String what = "Refused a cross-site " + r.method() + " to " + shown(r.path()) + ": ";
        String fix = " Nothing was changed. Requests without Origin and Referer headers (curl, SDKs) are not "
                + "affected; use the hub's pages from " + own(r) + (underV1(r.path())
                        ? ", or add the origin of your own web page to the cors property of configuration "
                                + "moryflow.gateway."
                        : ".");
        if (r.fetchSite() != null && (r.fetchSite().equalsIgnoreCase("cross-site")
                || r.fetchSite().equalsIgnoreCase("same-site"))
                && !(r.origin() != null && corsAllows(stripSlash(r.origin().trim()), r))) {
            return Verdict.refuse("cross_origin_refused", what + "the browser says it comes from another site "
                    + "(Sec-Fetch-Site: " + shown(r.fetchSite()) + ")." + fix, shown(r.fetchSite()));
        }
        if (r.origin() != null) {
            String origin = r.origin().trim();
            if (origin.equalsIgnoreCase("null")) {
                return Verdict.refuse("cross_origin_refused", what + "its Origin is 'null' (a sandboxed frame, a "
                        + "local file or a redirect from another site sent it)." + fix, "null");
            }
            if (ownOrigin(origin, r) || corsAllows(stripSlash(origin), r)) {
                return Verdict.ALLOW;
            }
            String shown = shown(origin);
            return Verdict.refuse("cross_origin_refused", what + "its Origin " + shown + " is not this hub's own ("
                    + own(r) + "), so a web page of another site sent it." + fix, shown);
        }
        if (r.referer() != null) {
            String from = originOf(r.referer().trim());
            if (from != null && (ownOrigin(from, r) || corsAllows(from, r))) {
                return Verdict.ALLOW;
            }
            String shown = from == null ? "(unreadable)" : shown(from);
            return Verdict.refuse("cross_origin_refused", what + "it has no Origin and its Referer is from " + shown
                    + ", not from this hub's own origin (" + own(r) + ")." + fix, shown);
        }
        return Verdict.ALLOW;
    }

    /**
     * @return whether the request may change something: every method but GET, HEAD, OPTIONS and TRACE, and a Web
     *         Console GET that the console handles as a form post ({@code ?post=…}, {@code action}, {@code apply},
     *         {@code delete}, {@code propertylist}: its configuration page turns such a GET into a POST)
     */
    static boolean changesState(Request r) {
        if (!SAFE_METHODS.contains(r.method().toUpperCase(Locale.ROOT))) {
            return true;
        }
        String path = r.path() == null ? "" : r.path();
        if (!(path.equals(CONSOLE) || path.startsWith(CONSOLE + "/")) || r.query() == null) {
            return false;
        }
        for (String pair : r.query().split("&")) {
            String name = pair.split("=", 2)[0].toLowerCase(Locale.ROOT);
            if (CONSOLE_POST_PARAMETERS.contains(name)) {
                return true;
            }
        }
        return false;
    }

    /** @return whether the normalized host is one of this hub's */
    private boolean allowedHost(String host, String localAddress) {
        if (host.equals("localhost") || host.endsWith(".localhost") || names.contains(host)) {
            return true;
        }
        InetAddress literal = literal(host);
        if (literal != null) {
            if (literal.isLoopbackAddress() || addresses.contains(literal)) {
                return true;
            }
            // an IP literal cannot be rebound: the address the connection came in on is the hub's own
            InetAddress local = localAddress == null ? null : literal(normalize(localAddress));
            if (local != null && local.equals(literal)) {
                return true;
            }
        }
        if (!wildcard) {
            return false;
        }
        for (String own : machineNames.get()) {
            String n = normalize(own);
            if (n.equals(host)) {
                return true;
            }
            InetAddress a = literal(n);
            if (a != null && a.equals(literal)) {
                return true;
            }
        }
        return false;
    }

    /** @return whether the origin ({@code scheme://host[:port]}) is the hub's own for this request */
    private boolean ownOrigin(String origin, Request r) {
        URI u = parse(origin);
        if (u == null || u.getScheme() == null || u.getRawAuthority() == null) {
            return false;
        }
        String scheme = u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals(r.scheme().toLowerCase(Locale.ROOT))) {
            return false;
        }
        String authority = u.getRawAuthority();
        String host = hostOf(authority.substring(authority.lastIndexOf('@') + 1));
        int port = u.getPort() >= 0 ? u.getPort() : defaultPort(scheme);
        return host != null && port == r.localPort() && allowedHost(host, r.localAddress());
    }

    private boolean corsAllows(String origin, Request r) {
        return underV1(r.path()) && corsOrigins.contains(origin.toLowerCase(Locale.ROOT));
    }

    /** Only a plain path under /v1: no dot segments, no encoded characters, no path parameters. */
    private static boolean underV1(String path) {
        return path != null && (path.equals("/v1") || path.startsWith("/v1/")) && !path.contains("/.")
                && !path.contains("%") && !path.contains(";") && !path.contains("//") && !path.contains("\\");
    }

    /** @return the hub's own origin as the request names it, for messages */
    private static String own(Request r) {
        String host = r.host() == null ? null : hostOf(r.host());
        if (host == null || host.isEmpty()) {
            host = "127.0.0.1";
        } else if (host.indexOf(':') >= 0) {
            host = "[" + host + "]";
        }
        return r.scheme().toLowerCase(Locale.ROOT) + "://" + shown(host) + ":" + r.localPort();
    }

    /** @return {@code scheme://authority} of a URL, or null when it has none */
    private static String originOf(String url) {
        URI u = parse(url);
        if (u == null || u.getScheme() == null || u.getRawAuthority() == null) {
            return null;
        }
        String authority = u.getRawAuthority();
        int at = authority.lastIndexOf('@');
        return u.getScheme() + "://" + (at >= 0 ? authority.substring(at + 1) : authority);
    }

    private static URI parse(String s) {
        try {
            return new URI(s);
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /**
     * The host of a Host header or URI authority ({@code name}, {@code name:port}, {@code [v6]:port}), normalized.
     *
     * @return the host, or null when the value cannot be read
     */
    static String hostOf(String authority) {
        String a = authority.trim();
        if (a.startsWith("[")) {
            int end = a.indexOf(']');
            if (end < 0) {
                return null;
            }
            String rest = a.substring(end + 1);
            if (!rest.isEmpty() && !rest.matches(":\\d{0,5}")) {
                return null;
            }
            return normalize(a.substring(1, end));
        }
        int colon = a.indexOf(':');
        if (colon >= 0) {
            if (a.indexOf(':', colon + 1) >= 0) {
                return normalize(a); // a bare IPv6 address
            }
            if (!a.substring(colon + 1).matches("\\d{0,5}")) {
                return null;
            }
            a = a.substring(0, colon);
        }
        return a.isEmpty() ? null : normalize(a);
    }

    /** Lower case, without a trailing dot or IPv6 brackets. */
    private static String normalize(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        while (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return h;
    }

    private static boolean isWildcard(String host) {
        InetAddress a = literal(host);
        return a != null && a.isAnyLocalAddress();
    }

    /** @return the address of an IP literal, or null for a name (which is never looked up) */
    private static InetAddress literal(String host) {
        if (host == null) {
            return null;
        }
        try {
            if (IPV4.matcher(host).matches()) {
                String[] parts = host.split("\\.");
                byte[] bytes = new byte[4];
                for (int i = 0; i < 4; i++) {
                    int v = Integer.parseInt(parts[i]);
                    if (v > 255) {
                        return null;
                    }
                    bytes[i] = (byte) v;
                }
                return InetAddress.getByAddress(bytes);
            }
            // with a ':' the JDK parses an IPv6 literal and never looks it up (an invalid one throws)
            return IPV6.matcher(host).matches() ? InetAddress.getByName(host) : null;
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
    }

    private static int defaultPort(String scheme) {
        return scheme.equals("https") ? 443 : scheme.equals("http") ? 80 : -1;
    }

    private static String stripSlash(String origin) {
        return origin.endsWith("/") ? origin.substring(0, origin.length() - 1) : origin;
    }

    /** A header value as it may appear in a message or log line: printable, at most 120 characters. */
    static String shown(String value) {
        StringBuilder b = new StringBuilder(Math.min(value.length(), SHOWN_CHARS + 3));
        for (int i = 0; i < value.length() && b.length() < SHOWN_CHARS; i++) {
            char c = value.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        if (value.length() > SHOWN_CHARS) {
            b.append("...");
        }
        return b.toString();
    }
}
