package dev.moryflow.webconsole.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

import dev.moryflow.provider.ProviderIds;

/**
 * The Add Provider form, checked: what the user typed (never the key), the error of each field in the words the
 * provider bundle's log uses, and the configuration properties it makes. The key is checked for presence only
 * and is never kept here.
 */
final class NewProvider {

    static final String ID = "id";
    static final String NAME = "name";
    static final String BASE_URL = "baseUrl";
    static final String API_KEY = "apiKey";
    static final String MODELS = "models";

    private final Map<String, String> values = new LinkedHashMap<>();
    private final Map<String, String> errors = new LinkedHashMap<>();

    private NewProvider() {
    }

    /** @return an empty form */
    static NewProvider empty() {
        return new NewProvider();
    }

    /**
     * @param form   the request parameters ({@code id}, {@code name}, {@code baseUrl}, {@code models}); the key is
     *               not read here
     * @param taken  whether a provider configuration with that id exists already
     * @return the checked form
     */
    static NewProvider check(Map<String, String> form, Predicate<String> taken) {
        NewProvider p = new NewProvider();
        for (String f : new String[] { ID, NAME, BASE_URL, MODELS }) {
            String v = form.get(f);
            p.values.put(f, v == null ? "" : v.trim());
        }
        String name = p.values.get(NAME);
        if (name.isEmpty()) {
            p.errors.put(NAME, "name is missing: the name shown in lists, for example My AI Service");
        }
        String id = p.values.get(ID);
        if (id.isEmpty()) {
            p.errors.put(ID, "the provider id is missing: " + ProviderIds.RULE + ", for example "
                    + ProviderIds.slug(name.isEmpty() ? "my-ai" : name));
        } else if (ProviderIds.isReserved(id)) {
            p.errors.put(ID, "the provider id \"" + id + "\" is reserved: it names a secret of the hub itself; "
                    + "choose another, for example my-ai");
        } else if (!ProviderIds.isValid(id)) {
            p.errors.put(ID, "the provider id \"" + shorten(id) + "\" is not valid: " + ProviderIds.RULE
                    + ", for example " + ProviderIds.slug(id));
        } else if (taken.test(id)) {
            p.errors.put(ID, "a provider with the id " + id + " exists already: choose another id, or change that "
                    + "provider");
        }
        String url = p.values.get(BASE_URL);
        String urlError = baseUrlError(url);
        if (urlError != null) {
            p.errors.put(BASE_URL, urlError);
        }
        return p;
    }

    /** The checks of the provider bundle's {@code ProviderConfig}, in its words. */
    static String baseUrlError(String url) {
        if (url == null || url.isEmpty()) {
            return "baseUrl is missing: set it to the API endpoint, for example https://api.example.com/v1 (it "
                    + "usually ends with /v1)";
        }
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            return "baseUrl \"" + shorten(url) + "\" is not a valid URL: write the full address with http:// or "
                    + "https://, for example https://api.example.com/v1";
        }
        String scheme = u.getScheme();
        if (scheme != null && !scheme.equalsIgnoreCase("http") && !scheme.equalsIgnoreCase("https")
                && url.contains("://")) {
            return "baseUrl \"" + shorten(url) + "\" uses " + scheme + "://: only http:// and https:// are "
                    + "supported; write it like https://api.example.com/v1";
        }
        if (scheme == null || u.getHost() == null) {
            return "baseUrl \"" + shorten(url) + "\" is not a valid URL: write the full address with http:// or "
                    + "https://, for example https://api.example.com/v1";
        }
        if (u.getRawUserInfo() != null) {
            return "baseUrl contains a user name or password: remove it from the URL and put the key in API Key "
                    + "instead";
        }
        return null;
    }

    /** @return whether every field is right */
    boolean valid() {
        return errors.isEmpty();
    }

    /** @return what the user typed in a field (trimmed; empty when nothing) */
    String value(String field) {
        return values.getOrDefault(field, "");
    }

    /** @return the error of a field, or null */
    String error(String field) {
        return errors.get(field);
    }

    /** @return every field's error, in form order */
    Map<String, String> errors() {
        return Map.copyOf(errors);
    }

    /** @return the first field, in form order, that has an error, or null */
    String firstInvalid() {
        return errors.isEmpty() ? null : errors.keySet().iterator().next();
    }

    /** @return the provider id (valid only when {@link #valid()}) */
    String id() {
        return value(ID);
    }

    /** @return the properties of the new configuration {@code moryflow.provider.openai~<id>}: no key */
    Hashtable<String, Object> properties() {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(NAME, value(NAME));
        props.put(BASE_URL, value(BASE_URL));
        String[] models = Arrays.stream(value(MODELS).split("[,\\s]+")).map(String::trim).filter(s -> !s.isEmpty())
                .distinct().toArray(String[]::new);
        if (models.length > 0) {
            props.put(MODELS, models);
        }
        return props;
    }

    private static String shorten(String s) {
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }
}
