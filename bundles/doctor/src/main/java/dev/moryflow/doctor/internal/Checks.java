package dev.moryflow.doctor.internal;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import dev.moryflow.provider.CloseMatches;
import dev.moryflow.provider.Problem;
import dev.moryflow.provider.ProviderException;
import okhttp3.HttpUrl;

/**
 * The doctor's pure checks, without I/O: the static shape of a Base URL, closest model ids (did-you-mean), telling a
 * regional restriction from a forbidden key, and the fix for a local server that is not running.
 */
final class Checks {

    /** Endpoint paths users paste by mistake at the end of a Base URL. */
    private static final List<String> ENDPOINTS = List.of("/chat/completions", "/completions", "/models",
            "/embeddings", "/responses");
    private static final Pattern REGION = Pattern.compile("(?i)unsupported_country|country|region|territor|"
            + "location is not supported|not available in your (?:location|area)|geo");
    private static final Pattern MODEL_WORD = Pattern.compile("(?i)\\bmodels?\\b|model_");

    private Checks() {
    }

    /** The verdict of the static Base URL check. */
    static final class UrlVerdict {
        final boolean failed;
        final String cause;
        final String fix;
        final HttpUrl url;

        private UrlVerdict(boolean failed, String cause, String fix, HttpUrl url) {
            this.failed = failed;
            this.cause = cause;
            this.fix = fix;
            this.url = url;
        }

        static UrlVerdict fail(String cause, String fix) {
            return new UrlVerdict(true, cause, fix, null);
        }

        static UrlVerdict warn(HttpUrl url, String cause, String fix) {
            return new UrlVerdict(false, cause, fix, url);
        }

        static UrlVerdict ok(HttpUrl url) {
            return new UrlVerdict(false, null, null, url);
        }

        boolean warning() {
            return !failed && cause != null;
        }
    }

    /**
     * Checks the Base URL as written, without a network call.
     *
     * @param raw        the configured base URL, may be null
     * @param azure      whether the dialect is azure
     * @param apiVersion the configured apiVersion, or null
     * @return the verdict; on success with the parsed URL
     */
    static UrlVerdict baseUrl(String raw, boolean azure, String apiVersion) {
        if (raw == null || raw.isBlank()) {
            return UrlVerdict.fail("baseUrl is missing",
                    "Set baseUrl to the API endpoint, for example baseUrl = https://api.example.com/v1 (it usually "
                            + "ends with /v1).");
        }
        String s = raw.trim();
        String shown = Texts.shown(s, 100);
        HttpUrl url = HttpUrl.parse(s);
        if (url == null) {
            int scheme = s.indexOf("://");
            if (scheme > 0 && !s.substring(0, scheme).equalsIgnoreCase("http")
                    && !s.substring(0, scheme).equalsIgnoreCase("https")) {
                return UrlVerdict.fail("wrong scheme: baseUrl \"" + shown + "\" starts with " + s.substring(0, scheme)
                        + "://, but only http:// and https:// are supported",
                        "Write the address with https:// (or http:// for a local server), for example "
                                + "https://api.example.com/v1.");
            }
            if (scheme < 0) {
                return UrlVerdict.fail("baseUrl \"" + shown + "\" does not parse: it has no scheme (http:// or "
                        + "https://)", "Write the full address, for example https://" + stripSlashes(s) + ".");
            }
            return UrlVerdict.fail("baseUrl \"" + shown + "\" does not parse as a URL",
                    "Write the full address with http:// or https://, a host name and no spaces, for example "
                            + "https://api.example.com/v1.");
        }
        String path = url.encodedPath();
        String lower = path.toLowerCase(Locale.ROOT);
        String noSlash = lower.endsWith("/") && lower.length() > 1 ? lower.substring(0, lower.length() - 1) : lower;
        for (String endpoint : ENDPOINTS) {
            if (noSlash.endsWith(endpoint) && !(endpoint.equals("/completions") && noSlash.endsWith("/chat/completions"))) {
                String base = origin(url) + path.substring(0, noSlash.length() - endpoint.length());
                return UrlVerdict.fail("baseUrl ends with the endpoint path " + endpoint
                        + ": it looks like a full endpoint was pasted, so requests would go to …" + endpoint
                        + "/chat/completions", "Set baseUrl = " + base + " (the hub adds " + endpoint.substring(1)
                                + " itself).");
            }
        }
        boolean azureHost = url.host().toLowerCase(Locale.ROOT).endsWith(".openai.azure.com")
                || url.host().toLowerCase(Locale.ROOT).endsWith(".cognitiveservices.azure.com");
        if (azureHost && !azure) {
            return UrlVerdict.fail("this is an Azure OpenAI address, but the provider's dialect is openai",
                    "Set dialect = azure and apiVersion (for example apiVersion = 2024-10-21), with baseUrl = "
                            + "https://{your-resource}.openai.azure.com/openai/deployments/{deployment-name}.");
        }
        if (azure) {
            List<String> seg = url.pathSegments();
            int i = seg.indexOf("deployments");
            if (i < 0 || i + 1 >= seg.size() || seg.get(i + 1).isEmpty()) {
                return UrlVerdict.fail("the Azure URL has no deployment: the path must end with "
                        + "/openai/deployments/{deployment-name}",
                        "Set baseUrl = " + origin(url) + "/openai/deployments/{deployment-name}, with the deployment "
                                + "name from Azure AI Foundry (Deployments).");
            }
            if ((apiVersion == null || apiVersion.isBlank()) && url.queryParameter("api-version") == null) {
                return UrlVerdict.fail("the Azure URL has no api-version, and Azure OpenAI requires one",
                        "Set apiVersion to your deployment's API version, for example apiVersion = 2024-10-21.");
            }
        }
        if (path.length() > 1 && path.endsWith("/")) {
            return UrlVerdict.warn(url, "baseUrl ends with a slash (\"" + shown + "\"); it works here, but other "
                    + "tools would call …//chat/completions", "Write it without the trailing slash: baseUrl = "
                            + origin(url) + path.substring(0, path.length() - 1) + ".");
        }
        return UrlVerdict.ok(url);
    }

    /** @return scheme, host and (non-default) port */
    static String origin(HttpUrl url) {
        return url.scheme() + "://" + url.host()
                + (url.port() == HttpUrl.defaultPort(url.scheme()) ? "" : ":" + url.port());
    }

    /** @return the base URL without query and trailing slash, for messages */
    static String shownBase(HttpUrl url) {
        String p = url.encodedPath();
        return origin(url) + (p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : "/".equals(p)
                ? "" : p);
    }

    /** @return whether the path already has a version segment such as v1, v1beta, openai/v1 */
    static boolean hasVersionSegment(HttpUrl url) {
        for (String s : url.pathSegments()) {
            if (s.matches("(?i)v\\d+[a-z0-9.]*")) {
                return true;
            }
        }
        return false;
    }

    private static String stripSlashes(String s) {
        return s.replaceAll("^/+", "");
    }

    static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.equals("localhost") || h.endsWith(".localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")
                || h.equals("[::1]") || h.equals("0.0.0.0")) {
            return true;
        }
        return h.startsWith("127.") && h.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    }

    /**
     * The fix when a local server refuses the connection, naming the usual server on that port.
     *
     * @param port   the port
     * @param preset the preset id, or null
     * @return the fix
     */
    static String localServerFix(int port, String preset) {
        String p = preset == null ? "" : preset.toLowerCase(Locale.ROOT);
        if (port == 1234 || p.contains("lmstudio") || p.contains("lm-studio")) {
            return "Is LM Studio's server started on port " + port + "? In LM Studio open the Developer tab and "
                    + "start the server (or run: lms server start), and load a model.";
        }
        if (port == 11434 || p.contains("ollama")) {
            return "Is Ollama running on port " + port + "? Start it with: ollama serve.";
        }
        if (port == 8000 || p.contains("vllm")) {
            return "Is vLLM's server started on port " + port + "? Start it with: vllm serve <model> --port " + port
                    + ".";
        }
        return "Is the local server started on port " + port + "? Start it, or correct the port in the Base URL.";
    }

    /**
     * @param e a {@link Problem#PERMISSION} failure
     * @return whether it is a regional restriction rather than a forbidden key
     */
    static boolean isRegional(ProviderException e) {
        if (e.httpStatus() == 451) {
            return true;
        }
        String all = (e.upstreamCode() == null ? "" : e.upstreamCode()) + " " + e.getMessage();
        // the hub's own wording mentions "region" generically: look at the upstream's text after the first colon
        int colon = e.getMessage() == null ? -1 : e.getMessage().indexOf("): ");
        String upstream = colon < 0 ? (e.upstreamCode() == null ? "" : e.upstreamCode())
                : e.getMessage().substring(colon + 3) + " " + (e.upstreamCode() == null ? "" : e.upstreamCode());
        return REGION.matcher(upstream).find() || (all.contains("unsupported_country"));
    }

    /**
     * @param e     a {@link Problem#PERMISSION} failure
     * @param model the model asked for
     * @return whether the upstream said the model is what is not allowed
     */
    static boolean isModelAccess(ProviderException e, String model) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        int colon = m.indexOf("): ");
        String upstream = (colon < 0 ? "" : m.substring(colon + 3)) + " "
                + (e.upstreamCode() == null ? "" : e.upstreamCode());
        return (model != null && upstream.contains(model)) || MODEL_WORD.matcher(upstream).find();
    }

    /**
     * Did-you-mean: the ids closest to {@code wanted}.
     *
     * @param wanted the id asked for
     * @param ids    the ids the provider lists
     * @param max    how many to return at most
     * @return the closest ids, best first; empty when none is close
     */
    static List<String> closest(String wanted, List<String> ids, int max) {
        return CloseMatches.find(wanted, ids, max);
    }
}
