package dev.moryflow.doctor.internal;

import java.util.List;
import java.util.Locale;

import dev.moryflow.provider.ProviderException;
import okhttp3.HttpUrl;

/**
 * What the doctor checks differently for an Anthropic provider (factory {@value #FACTORY}, Messages API): the base
 * URL (with or without {@code /v1}, never the {@code /v1/messages} endpoint), the unauthenticated probe
 * {@code GET <root>/v1/models} with the {@code anthropic-version} header (a 401 {@code authentication_error} there
 * means the API answers), and the causes only this API has: an {@code anthropic-version} it does not accept, and
 * {@code max_tokens}, which it requires on every request.
 */
final class AnthropicChecks {

    static final String FACTORY = "moryflow.provider.anthropic";
    static final String DEFAULT_BASE_URL = "https://api.anthropic.com";
    static final String DEFAULT_VERSION = "2023-06-01";

    private AnthropicChecks() {
    }

    /** @return the base URL as configured, or the provider's default when it has none */
    static String baseUrl(String configured) {
        return configured == null ? DEFAULT_BASE_URL : configured;
    }

    /**
     * @param raw the base URL
     * @return a failed verdict when a Messages API endpoint was pasted, else null (the general checks follow)
     */
    static Checks.UrlVerdict endpointPasted(String raw) {
        HttpUrl url = HttpUrl.parse(raw.trim());
        if (url == null) {
            return null;
        }
        String path = url.encodedPath().toLowerCase(Locale.ROOT);
        String p = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
        for (String endpoint : List.of("/v1/messages", "/messages", "/v1/complete")) {
            if (p.endsWith(endpoint)) {
                String base = Checks.origin(url) + url.encodedPath().substring(0, p.length() - endpoint.length());
                return Checks.UrlVerdict.fail("baseUrl ends with the endpoint path " + endpoint + ": it looks like a "
                        + "full endpoint was pasted, so requests would go to …" + endpoint + "/v1/messages",
                        "Set baseUrl = " + (base.isEmpty() ? DEFAULT_BASE_URL : base) + " (the hub adds /v1/messages "
                                + "itself).");
            }
        }
        return null;
    }

    /** @return {@code <root>/v1/models} of a base URL given with or without {@code /v1} */
    static HttpUrl modelsUrl(HttpUrl base) {
        List<String> segments = new java.util.ArrayList<>(base.pathSegments());
        while (!segments.isEmpty() && segments.get(segments.size() - 1).isEmpty()) {
            segments.remove(segments.size() - 1);
        }
        if (!segments.isEmpty() && segments.get(segments.size() - 1).equals("v1")) {
            segments.remove(segments.size() - 1);
        }
        HttpUrl.Builder b = base.newBuilder().encodedPath("/").query(null);
        segments.forEach(b::addPathSegment);
        return b.addPathSegments("v1/models").build();
    }

    /** @return the {@code anthropic-version} the provider sends */
    static String version(String configured) {
        return configured == null ? DEFAULT_VERSION : configured;
    }

    /**
     * @param status the probe's status
     * @param body   the start of its body
     * @return whether the answer is the Messages API's: JSON, and a model list or an error of Anthropic's shape
     */
    static boolean isTheApi(int status, String body) {
        String b = body.stripLeading();
        return b.startsWith("{") && (status == 200 && b.contains("\"data\"")
                || b.contains("\"type\"") && b.contains("\"error\""));
    }

    /** @return whether a failure is the API refusing the {@code anthropic-version} header */
    static boolean versionRefused(ProviderException e) {
        String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        return e.httpStatus() == 400 && m.contains("anthropic-version");
    }

    /** @return whether a failure is the API refusing {@code max_tokens} (missing or above the model's limit) */
    static boolean maxTokensRefused(ProviderException e) {
        String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        return e.httpStatus() == 400 && m.contains("max_tokens");
    }
}
