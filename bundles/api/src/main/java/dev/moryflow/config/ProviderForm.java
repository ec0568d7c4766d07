package dev.moryflow.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import dev.moryflow.provider.ProviderIds;

/**
 * The checks of a new OpenAI-compatible provider ({@code moryflow.provider.openai~<id>}) as the admin surfaces apply
 * them before they write its configuration (the Web Console's Add Provider, {@code moryflow:provider-add}), in the
 * words the provider bundle logs when it refuses one. The key is never part of it: it goes to the credential store.
 */
public final class ProviderForm {

    /** The factory PID of OpenAI-compatible providers. */
    public static final String FACTORY_PID = "moryflow.provider.openai";
    /** Field: the provider id, the configuration's name; not a property. */
    public static final String ID = "id";
    /** Property: the display name. */
    public static final String NAME = "name";
    /** Property: the API endpoint. */
    public static final String BASE_URL = "baseUrl";
    /** Property: the model ids (String[]). */
    public static final String MODELS = "models";
    /** Property: {@code openai} or {@code azure}. */
    public static final String DIALECT = "dialect";
    /** Property: the Azure OpenAI api-version. */
    public static final String API_VERSION = "apiVersion";
    /** Property: extra HTTP headers (String[] of {@code Name: value}). */
    public static final String HEADERS = "headers";
    /** Property: the longest wait for an answer in seconds (Integer; 0 the hub's default). */
    public static final String TIMEOUT_SECONDS = "timeoutSeconds";
    /** Property: whether plain http:// to another machine is allowed (Boolean). */
    public static final String ALLOW_INSECURE = "allowInsecure";

    private static final String[] FIELDS = { NAME, ID, BASE_URL, MODELS, DIALECT, API_VERSION, HEADERS,
        TIMEOUT_SECONDS, ALLOW_INSECURE };
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private ProviderForm() {
    }

    /**
     * Checks a new provider.
     *
     * @param form  the fields: text; {@value #MODELS} a comma or space separated list, {@value #HEADERS} one header
     *              per line (or an array of lines); {@value #ALLOW_INSECURE} {@code true}, {@code on} or empty
     * @param taken whether a provider configuration with an id exists already
     * @return the checked form; when valid, its properties are those of the configuration (without the id, which
     *         names it, and never a key): {@value #NAME}, {@value #BASE_URL}, and of the others those given
     */
    public static CheckedForm check(Map<String, ?> form, Predicate<String> taken) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String f : FIELDS) {
            values.put(f, f.equals(HEADERS) ? String.join("\n", Values.list(form.get(f), "\\R"))
                    : Objects.toString(Values.text(form.get(f)), ""));
        }
        Map<String, String> errors = new LinkedHashMap<>();
        Hashtable<String, Object> props = new Hashtable<>();
        String name = values.get(NAME);
        if (name.isEmpty()) {
            errors.put(NAME, "name is missing: the name shown in lists, for example My AI Service");
        }
        props.put(NAME, name);
        String id = values.get(ID);
        if (id.isEmpty()) {
            errors.put(ID, "the provider id is missing: " + ProviderIds.RULE + ", for example "
                    + ProviderIds.slug(name.isEmpty() ? "my-ai" : name));
        } else if (ProviderIds.isReserved(id)) {
            errors.put(ID, "the provider id \"" + id + "\" is reserved: it names a secret of the hub itself; "
                    + "choose another, for example my-ai");
        } else if (!ProviderIds.isValid(id)) {
            errors.put(ID, "the provider id \"" + Values.oneLine(id, 80) + "\" is not valid: " + ProviderIds.RULE
                    + ", for example " + ProviderIds.slug(id));
        } else if (taken.test(id)) {
            errors.put(ID, "a provider with the id " + id + " exists already: choose another id, or change that "
                    + "provider");
        }
        String url = values.get(BASE_URL);
        putError(errors, BASE_URL, baseUrlError(url));
        props.put(BASE_URL, url);
        List<String> models = Values.list(form.get(MODELS), "[,\\s]+").stream().distinct().toList();
        if (!models.isEmpty()) {
            props.put(MODELS, models.toArray(String[]::new));
        }
        String dialect = values.get(DIALECT);
        boolean azure = dialect.equalsIgnoreCase("azure");
        if (!dialect.isEmpty() && !azure && !dialect.equalsIgnoreCase("openai")) {
            errors.put(DIALECT, "dialect \"" + Values.oneLine(dialect, 40) + "\" is unknown: use openai (most "
                    + "services) or azure (Azure OpenAI)");
        } else if (!dialect.isEmpty()) {
            props.put(DIALECT, dialect.toLowerCase(java.util.Locale.ROOT));
        }
        String apiVersion = values.get(API_VERSION);
        if (azure && apiVersion.isEmpty() && !url.contains("api-version=")) {
            errors.put(API_VERSION, "apiVersion is missing, and Azure OpenAI needs it: set apiVersion to the API "
                    + "version of your deployment, for example apiVersion = 2024-10-21");
        } else if (!apiVersion.isEmpty()) {
            props.put(API_VERSION, apiVersion);
        }
        List<String> headers = Values.list(form.get(HEADERS), "\\R");
        putError(errors, HEADERS, headersError(headers));
        if (!headers.isEmpty()) {
            props.put(HEADERS, headers.toArray(String[]::new));
        }
        String timeout = values.get(TIMEOUT_SECONDS);
        if (!timeout.isEmpty()) {
            try {
                int seconds = Integer.parseInt(timeout);
                if (seconds < 0) {
                    errors.put(TIMEOUT_SECONDS, "timeoutSeconds is " + seconds + ", which is negative: set a number "
                            + "of seconds such as 120, or 0 for the hub's default (readTimeoutSeconds of moryflow.http)");
                }
                props.put(TIMEOUT_SECONDS, seconds);
            } catch (NumberFormatException e) {
                errors.put(TIMEOUT_SECONDS, "timeoutSeconds = \"" + Values.oneLine(timeout, 20) + "\" is not a whole "
                        + "number: write a number such as 60");
            }
        }
        String insecure = values.get(ALLOW_INSECURE);
        if (insecure.equalsIgnoreCase("true") || insecure.equalsIgnoreCase("on")) {
            props.put(ALLOW_INSECURE, Boolean.TRUE);
        } else if (!insecure.isEmpty() && !insecure.equalsIgnoreCase("false")) {
            errors.put(ALLOW_INSECURE, "allowInsecure = \"" + Values.oneLine(insecure, 20) + "\" is neither true nor "
                    + "false: write allowInsecure = true or allowInsecure = false");
        }
        return new CheckedForm(values, errors, props);
    }

    private static void putError(Map<String, String> errors, String field, String error) {
        if (error != null) {
            errors.put(field, error);
        }
    }

    /**
     * @param url a base URL as typed
     * @return why the provider bundle would refuse it, or null when it is right
     */
    public static String baseUrlError(String url) {
        if (url == null || url.isEmpty()) {
            return "baseUrl is missing: set it to the API endpoint, for example https://api.example.com/v1 (it "
                    + "usually ends with /v1)";
        }
        String notValid = "baseUrl \"" + Values.oneLine(url, 80) + "\" is not a valid URL: write the full address "
                + "with http:// or https://, for example https://api.example.com/v1";
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            return notValid;
        }
        String scheme = u.getScheme();
        if (scheme != null && !scheme.equalsIgnoreCase("http") && !scheme.equalsIgnoreCase("https")
                && url.contains("://")) {
            return "baseUrl \"" + Values.oneLine(url, 80) + "\" uses " + scheme + "://: only http:// and https:// "
                    + "are supported; write it like https://api.example.com/v1";
        }
        if (scheme == null || u.getHost() == null) {
            return notValid;
        }
        if (u.getRawUserInfo() != null) {
            return "baseUrl contains a user name or password: remove it from the URL and put the key in API Key "
                    + "instead";
        }
        return null;
    }

    /**
     * @param lines header lines, {@code Name: value}
     * @return why the provider bundle would refuse them (naming the line, never repeating a value), or null
     */
    public static String headersError(List<String> lines) {
        int n = 0;
        for (String line : lines) {
            n++;
            int colon = line.indexOf(':');
            if (colon <= 0) {
                return "headers line " + n + " has no name before a ':': write each header as Name: value, for "
                        + "example X-Team: research";
            }
            String headerName = line.substring(0, colon).trim();
            if (!HEADER_NAME.matcher(headerName).matches()) {
                return "headers line " + n + ": \"" + Values.oneLine(headerName, 40) + "\" is not a valid header "
                        + "name: use letters, digits and -, for example X-Team: research";
            }
            String value = line.substring(colon + 1).trim();
            if (value.chars().anyMatch(c -> (c < 0x20 && c != '\t') || c >= 0x7f)) {
                return "headers line " + n + " (" + headerName + "): the value contains a control or non-ASCII "
                        + "character: remove it";
            }
        }
        return null;
    }
}
