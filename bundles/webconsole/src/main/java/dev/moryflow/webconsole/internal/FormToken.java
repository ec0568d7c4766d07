package dev.moryflow.webconsole.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The plugin's form token: a random value made when the plugin starts, written into every form of its page and
 * required with every POST. Another site's page cannot read it (same-origin policy), so it cannot make a POST
 * the plugin accepts, even if the hub's HTTP guard (Origin, Referer, Sec-Fetch-Site; in the gateway bundle) is not
 * running. Compared in constant time.
 */
final class FormToken {

    /** The form field that carries it. */
    static final String FIELD = "token";

    private final String value;

    FormToken(SecureRandom random) {
        byte[] b = new byte[32];
        random.nextBytes(b);
        this.value = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** @return the token, for the page's forms */
    String value() {
        return value;
    }

    /** @return whether a request's token is this one */
    boolean matches(String candidate) {
        return candidate != null && MessageDigest.isEqual(value.getBytes(StandardCharsets.US_ASCII),
                candidate.getBytes(StandardCharsets.UTF_8));
    }
}
