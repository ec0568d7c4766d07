package dev.moryflow.credentials;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The origin of a URL, {@code scheme://host[:port]}: what a provider key is bound to. Two base URLs with one origin
 * (a path change) share a key; another scheme, host or port is another origin, and a key stored for one is never
 * sent to the other without the user's word.
 */
public final class Origins {

    private Origins() {
    }

    /**
     * @param url an absolute {@code http://} or {@code https://} URL, or null
     * @return its origin in canonical form: lower-case scheme and host, the port only when it is not the scheme's
     *         default ({@code https://api.groq.com}, {@code http://127.0.0.1:1234}); null when the URL is null or
     *         not an absolute http(s) URL with a host
     */
    public static String of(String url) {
        if (url == null || url.isBlank()) {
            return null;
        }
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            return null;
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost();
        if (host == null || !("http".equals(scheme) || "https".equals(scheme))) {
            return null;
        }
        int port = uri.getPort();
        int standard = "https".equals(scheme) ? 443 : 80;
        return scheme + "://" + host.toLowerCase(Locale.ROOT) + (port < 0 || port == standard ? "" : ":" + port);
    }
}
