package dev.moryflow.provider.anthropic.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.osgi.framework.Constants;

import dev.moryflow.credentials.Origins;
import dev.moryflow.http.ConfigValues;
import dev.moryflow.http.ConnectionSettings;
import dev.moryflow.http.ProviderRegistration;
import dev.moryflow.http.SettingException;
import dev.moryflow.provider.KeyState;
import dev.moryflow.provider.ModelInfo;
import dev.moryflow.provider.ProviderIds;
import dev.moryflow.provider.ProviderService;
import dev.moryflow.provider.Transport;
import okhttp3.Headers;
import okhttp3.HttpUrl;

/**
 * One Anthropic provider's configuration ({@code moryflow.provider.anthropic} factory configuration), validated,
 * with everything a request needs computed once: the {@code /v1/messages} and {@code /v1/models} URLs (from a base
 * URL with or without {@code /v1}), the headers, the default {@code max_tokens}. Values are read leniently with
 * {@link ConfigValues}, as {@code .cfg} files give strings. Immutable; never holds the key ({@code apiKey} is moved
 * into the credential store by the credentials bundle and never read here).
 */
final class AnthropicConfig {

    static final String NAME = "name";
    static final String BASE_URL = "baseUrl";
    static final String API_KEY_ENV = "apiKeyEnv";
    static final String MODELS = "models";
    static final String ANTHROPIC_VERSION = "anthropicVersion";
    static final String MAX_TOKENS = "maxTokens";
    static final String HEADERS = "headers";
    static final String TIMEOUT_SECONDS = "timeoutSeconds";
    static final String ALLOW_INSECURE = "allowInsecure";
    static final String PRESET = "preset";

    /** The wire protocol named in {@link ProviderService#PROVIDER_PROTOCOL}. */
    static final String PROTOCOL = "anthropic";
    static final String DEFAULT_BASE_URL = "https://api.anthropic.com";
    static final String DEFAULT_VERSION = "2023-06-01";
    static final String DEFAULT_KEY_ENV = "ANTHROPIC_API_KEY";
    static final int DEFAULT_MAX_TOKENS = 4096;

    private static final Pattern VERSION = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");

    private final String pid;
    private final String id;
    private final String name;
    private final HttpUrl messagesUrl;
    private final HttpUrl modelsUrl;
    private final String displayBaseUrl;
    private final String origin;
    private final String apiKeyEnv;
    private final List<String> models;
    private final List<ModelInfo> modelInfos;
    private final String anthropicVersion;
    private final int maxTokens;
    private final Headers headers;
    private final boolean customAuth;
    private final int timeoutSeconds;
    private final String preset;
    private final String fileName;
    private final int ranking;
    private final Transport transport;
    private final ConnectionSettings connection;

    private AnthropicConfig(Map<String, ?> p) throws SettingException {
        pid = ConfigValues.string(p.get(Constants.SERVICE_PID)) == null ? AnthropicProviderComponent.PID + "~unnamed"
                : ConfigValues.string(p.get(Constants.SERVICE_PID));
        String refusal = ProviderIds.refusal(pid, ConfigValues.string(p.get("service.factoryPid")),
                ConfigValues.string(p.get(ProviderIds.ID_PROPERTY)));
        if (refusal != null) {
            throw new SettingException(ProviderIds.ID_PROPERTY, refusal);
        }
        id = ProviderIds.of(pid);
        String n = ConfigValues.string(p.get(NAME));
        name = n == null ? id : n;
        fileName = ConfigValues.string(p.get("felix.fileinstall.filename"));

        Map<String, Object> withDefault = new java.util.HashMap<>(p);
        withDefault.putIfAbsent(BASE_URL, DEFAULT_BASE_URL);
        HttpUrl base = ConfigValues.baseUrl(withDefault, BASE_URL, DEFAULT_BASE_URL + " (with or without /v1)");
        HttpUrl root = apiRoot(base);
        messagesUrl = ConfigValues.endpoint(root, "v1/messages");
        modelsUrl = ConfigValues.endpoint(root, "v1/models").newBuilder().setQueryParameter("limit", "1000").build();
        displayBaseUrl = ConfigValues.displayUrl(base);
        origin = Origins.of(base.toString());
        transport = ConfigValues.transport(base, ConfigValues.bool(p, ALLOW_INSECURE, false));

        // never repeated: a key pasted into the wrong field must not reach the log
        String env = ConfigValues.envName(p, API_KEY_ENV, DEFAULT_KEY_ENV);
        apiKeyEnv = env == null ? DEFAULT_KEY_ENV : env;
        models = List.copyOf(new LinkedHashSet<>(ConfigValues.list(p.get(MODELS), ",")));
        List<ModelInfo> infos = new ArrayList<>();
        models.forEach(m -> infos.add(ModelInfo.of(m)));
        modelInfos = List.copyOf(infos);

        String version = ConfigValues.string(p.get(ANTHROPIC_VERSION));
        anthropicVersion = version == null ? DEFAULT_VERSION : version;
        if (!VERSION.matcher(anthropicVersion).matches()) {
            throw new SettingException(ANTHROPIC_VERSION, ANTHROPIC_VERSION + " \""
                    + dev.moryflow.http.Problems.oneLine(anthropicVersion, 20) + "\" is not an API version date: "
                    + "write it like " + DEFAULT_VERSION + " (the default), as Anthropic documents it");
        }
        maxTokens = ConfigValues.integer(p, MAX_TOKENS, DEFAULT_MAX_TOKENS);
        if (maxTokens <= 0) {
            throw new SettingException(MAX_TOKENS, MAX_TOKENS + " is " + maxTokens + ": set the number of tokens an "
                    + "answer may have when a request does not say, for example " + DEFAULT_MAX_TOKENS);
        }
        headers = ConfigValues.headers(p, HEADERS);
        customAuth = headers.get("x-api-key") != null || headers.get("Authorization") != null;
        timeoutSeconds = ConfigValues.timeoutSeconds(p, TIMEOUT_SECONDS);
        preset = ConfigValues.string(p.get(PRESET));
        ranking = ConfigValues.integer(p, Constants.SERVICE_RANKING, 0);
        // caCertificates, clientCertificate, clientKey, proxy: read here, so a bad one refuses the configuration
        connection = ConnectionSettings.from(p);
    }

    /**
     * Reads and validates a configuration.
     *
     * @param p the component properties (including {@code service.pid}, {@code service.factoryPid})
     * @return the configuration
     * @throws SettingException naming the property, the fault and the fix
     */
    static AnthropicConfig parse(Map<String, ?> p) throws SettingException {
        return new AnthropicConfig(p);
    }

    /** @return the base URL without a final {@code /v1}: {@code https://api.anthropic.com/v1} works as well */
    private static HttpUrl apiRoot(HttpUrl base) {
        List<String> segments = new ArrayList<>(base.pathSegments());
        while (!segments.isEmpty() && segments.get(segments.size() - 1).isEmpty()) {
            segments.remove(segments.size() - 1);
        }
        if (!segments.isEmpty() && segments.get(segments.size() - 1).equals("v1")) {
            segments.remove(segments.size() - 1);
        }
        HttpUrl.Builder b = base.newBuilder().encodedPath("/").query(null);
        segments.forEach(b::addPathSegment);
        return b.build();
    }

    /** @return the service properties this provider is registered with; never the key */
    Hashtable<String, Object> serviceProperties() {
        return ProviderRegistration.serviceProperties(id, name, PROTOCOL, models, preset, ranking, pid);
    }

    /** @return what {@link dev.moryflow.http.ProviderKeys#state} reports when there is no key */
    KeyState withoutKey() {
        return customAuth ? KeyState.PRESENT : transport == Transport.LOCAL ? KeyState.NOT_REQUIRED : KeyState.MISSING;
    }

    String pid() {
        return pid;
    }

    String id() {
        return id;
    }

    String name() {
        return name;
    }

    HttpUrl messagesUrl() {
        return messagesUrl;
    }

    HttpUrl modelsUrl() {
        return modelsUrl;
    }

    /** @return the base URL without query, for logs and listings */
    String displayBaseUrl() {
        return displayBaseUrl;
    }

    /** @return the origin of the base URL, {@code https://host[:port]}: where the key may be sent */
    String origin() {
        return origin;
    }

    /** @return the environment variable that may hold the key; {@value #DEFAULT_KEY_ENV} unless set */
    String apiKeyEnv() {
        return apiKeyEnv;
    }

    List<String> models() {
        return models;
    }

    List<ModelInfo> modelInfos() {
        return modelInfos;
    }

    String anthropicVersion() {
        return anthropicVersion;
    }

    /** @return the {@code max_tokens} sent when a request has none (the Messages API requires it) */
    int maxTokens() {
        return maxTokens;
    }

    Headers headers() {
        return headers;
    }

    /** @return whether the custom headers already authenticate ({@code x-api-key} or {@code Authorization}) */
    boolean customAuth() {
        return customAuth;
    }

    /** @return the provider's read timeout, or null for the shared client's */
    Duration timeout() {
        return timeoutSeconds == 0 ? null : Duration.ofSeconds(timeoutSeconds);
    }

    String preset() {
        return preset;
    }

    String fileName() {
        return fileName;
    }

    Transport transport() {
        return transport;
    }

    ConnectionSettings connection() {
        return connection;
    }

    @Override
    public String toString() {
        return "provider " + id + " (anthropic " + anthropicVersion + ", " + displayBaseUrl + ", " + models.size()
                + " models" + (connection.isHub() ? "" : ", " + connection) + ")";
    }
}
