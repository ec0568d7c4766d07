package dev.moryflow.provider.openai.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Hashtable;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import org.osgi.framework.Constants;

import dev.moryflow.credentials.Origins;
import dev.moryflow.http.ConfigValues;
import dev.moryflow.http.ConnectionSettings;
import dev.moryflow.http.ProviderRegistration;
import dev.moryflow.http.Problems;
import dev.moryflow.http.SettingException;
import dev.moryflow.provider.ModelInfo;
import dev.moryflow.provider.ProviderIds;
import dev.moryflow.provider.Transport;
import okhttp3.Headers;
import okhttp3.HttpUrl;

/**
 * One provider's configuration ({@code moryflow.provider.openai} factory configuration), validated and with
 * everything a request needs computed once: the endpoint URLs, the custom headers, the timeout. Values are read
 * leniently, as {@code .cfg} files give strings: {@code models = a, b} is two models, {@code enabled = false} and
 * {@code timeoutSeconds = 30} are understood. The connection settings ({@link ConnectionSettings}: extra CA
 * certificates, a client certificate, the provider's proxy) are read here too, files included. Immutable; never holds the API key ({@code apiKey} is ignored here: the
 * credentials bundle moves it into the store).
 */
final class ProviderConfig {

    static final String NAME = "name";
    static final String BASE_URL = "baseUrl";
    static final String API_KEY_ENV = "apiKeyEnv";
    static final String MODELS = "models";
    static final String DIALECT = "dialect";
    static final String API_VERSION = "apiVersion";
    static final String HEADERS = "headers";
    static final String TIMEOUT_SECONDS = "timeoutSeconds";
    static final String MAX_CONCURRENT = "maxConcurrent";
    static final String ENABLED = "enabled";
    static final String PRESET = "preset";
    static final String ALLOW_INSECURE = "allowInsecure";

    /** The two wire dialects. */
    enum Dialect {
        OPENAI("openai"), AZURE("azure");

        final String protocol;

        Dialect(String protocol) {
            this.protocol = protocol;
        }
    }

    private final String pid;
    private final String id;
    private final String name;
    private final boolean enabled;
    private final Dialect dialect;
    private final HttpUrl baseUrl;
    private final HttpUrl chatUrl;
    private final HttpUrl modelsUrl;
    private final String displayBaseUrl;
    private final String apiKeyEnv;
    private final List<String> models;
    private final List<ModelInfo> modelInfos;
    private final Headers headers;
    private final boolean customAuth;
    private final int timeoutSeconds;
    private final int maxConcurrent;
    private final String preset;
    private final String origin;
    private final String fileName;
    private final int ranking;
    private final boolean local;
    private final Transport transport;
    private final ConnectionSettings connection;

    private ProviderConfig(Builder b) {
        this.pid = b.pid;
        this.id = b.id;
        this.name = b.name == null ? b.id : b.name;
        this.enabled = b.enabled;
        this.dialect = b.dialect;
        this.baseUrl = b.baseUrl;
        this.chatUrl = b.chatUrl;
        this.modelsUrl = b.modelsUrl;
        this.displayBaseUrl = b.displayBaseUrl;
        this.apiKeyEnv = b.apiKeyEnv;
        this.models = List.copyOf(b.models);
        List<ModelInfo> infos = new ArrayList<>();
        for (String m : this.models) {
            infos.add(ModelInfo.of(m));
        }
        this.modelInfos = Collections.unmodifiableList(infos);
        this.headers = b.headers;
        this.customAuth = b.headers.get("Authorization") != null || b.headers.get("api-key") != null;
        this.timeoutSeconds = b.timeoutSeconds;
        this.maxConcurrent = b.maxConcurrent;
        this.preset = b.preset;
        this.ranking = b.ranking;
        this.origin = b.origin;
        this.fileName = b.fileName;
        this.local = ConfigValues.isLoopback(b.baseUrl.host());
        this.connection = b.connection;
        this.transport = ConfigValues.transport(b.baseUrl, b.allowInsecure);
    }

    /**
     * Reads and validates a configuration.
     *
     * @param p the component properties (including {@code service.pid}, {@code service.factoryPid})
     * @return the configuration; check {@link #enabled()} before registering
     * @throws InvalidConfigurationException naming the field, the fault and the fix
     */
    static ProviderConfig parse(Map<String, ?> p) throws InvalidConfigurationException {
        Builder b = new Builder();
        b.pid = string(p.get(Constants.SERVICE_PID));
        if (b.pid == null) {
            b.pid = OpenAiProviderComponent.PID + "~unnamed";
        }
        b.name = string(p.get(NAME));
        String refusal = ProviderIds.refusal(b.pid, string(p.get("service.factoryPid")),
                string(p.get(ProviderIds.ID_PROPERTY)));
        if (refusal != null) {
            throw new InvalidConfigurationException(ProviderIds.ID_PROPERTY, refusal);
        }
        b.id = ProviderIds.of(b.pid);
        b.fileName = string(p.get("felix.fileinstall.filename"));
        b.enabled = bool(p, ENABLED, true);

        HttpUrl url = setting(() -> ConfigValues.baseUrl(p, BASE_URL, "https://api.example.com/v1 (it usually "
                + "ends with /v1)"));
        b.baseUrl = url;
        b.origin = Origins.of(url.toString());

        String dialect = string(p.get(DIALECT));
        if (dialect == null || dialect.equalsIgnoreCase("openai")) {
            b.dialect = Dialect.OPENAI;
        } else if (dialect.equalsIgnoreCase("azure")) {
            b.dialect = Dialect.AZURE;
        } else {
            throw new InvalidConfigurationException(DIALECT, "dialect \"" + Problems.oneLine(dialect, 40)
                    + "\" is unknown: use openai (most services) or azure (Azure OpenAI)");
        }

        String apiVersion = string(p.get(API_VERSION));
        if (b.dialect == Dialect.AZURE && apiVersion == null && url.queryParameter("api-version") == null) {
            throw new InvalidConfigurationException(API_VERSION, "apiVersion is missing, and Azure OpenAI needs it: "
                    + "set apiVersion to the API version of your deployment, for example apiVersion = 2024-10-21");
        }

        // never repeated: a key pasted into the wrong field must not reach the log
        b.apiKeyEnv = setting(() -> ConfigValues.envName(p, API_KEY_ENV, "GROQ_API_KEY"));
        b.models = new ArrayList<>(new LinkedHashSet<>(splitList(p.get(MODELS), ",")));
        b.headers = setting(() -> ConfigValues.headers(p, HEADERS));
        b.timeoutSeconds = setting(() -> ConfigValues.timeoutSeconds(p, TIMEOUT_SECONDS));
        b.maxConcurrent = integer(p, MAX_CONCURRENT, 0);
        if (b.maxConcurrent < 0) {
            throw new InvalidConfigurationException(MAX_CONCURRENT, "maxConcurrent is " + b.maxConcurrent
                    + ", which is negative: set how many chats this provider may run at once, such as 50, or 0 "
                    + "for no limit");
        }
        b.preset = string(p.get(PRESET));
        b.allowInsecure = bool(p, ALLOW_INSECURE, false);
        b.ranking = integer(p, Constants.SERVICE_RANKING, 0);
        try {
            // caCertificates, clientCertificate, clientKey, proxy: read here, so a bad one refuses the configuration
            b.connection = ConnectionSettings.from(p);
        } catch (SettingException e) {
            throw new InvalidConfigurationException(e.property(), e.getMessage());
        }

        b.chatUrl = endpoint(url, "chat/completions", b.dialect == Dialect.AZURE ? apiVersion : null);
        b.modelsUrl = endpoint(url, "models", b.dialect == Dialect.AZURE ? apiVersion : null);
        b.displayBaseUrl = ConfigValues.displayUrl(url);
        if (b.models.isEmpty() && b.dialect == Dialect.AZURE) {
            String deployment = deployment(url);
            if (deployment != null) {
                b.models = List.of(deployment);
            }
        }
        return new ProviderConfig(b);
    }

    private static HttpUrl endpoint(HttpUrl base, String path, String apiVersion) {
        HttpUrl u = ConfigValues.endpoint(base, path);
        return apiVersion == null ? u : u.newBuilder().setQueryParameter("api-version", apiVersion).build();
    }

    private static String deployment(HttpUrl url) {
        List<String> s = url.pathSegments();
        int i = s.indexOf("deployments");
        return i >= 0 && i + 1 < s.size() && !s.get(i + 1).isEmpty() ? s.get(i + 1) : null;
    }

    /** A value read by {@link ConfigValues}. */
    private interface Setting<T> {
        T read() throws SettingException;
    }

    private static <T> T setting(Setting<T> s) throws InvalidConfigurationException {
        try {
            return s.read();
        } catch (SettingException e) {
            throw new InvalidConfigurationException(e.property(), e.getMessage());
        }
    }

    static String string(Object v) {
        return ConfigValues.string(v);
    }

    static List<String> splitList(Object v, String separator) {
        return ConfigValues.list(v, separator);
    }

    private static boolean bool(Map<String, ?> p, String key, boolean def) throws InvalidConfigurationException {
        return setting(() -> ConfigValues.bool(p, key, def));
    }

    private static int integer(Map<String, ?> p, String key, int def) throws InvalidConfigurationException {
        return setting(() -> ConfigValues.integer(p, key, def));
    }

    // -------------------------------------------------------------------------------------------------- values

    /** @return the service properties this provider is registered with; never the key */
    Hashtable<String, Object> serviceProperties() {
        return ProviderRegistration.serviceProperties(id, name, dialect.protocol, models, preset, ranking, pid);
    }

    String pid() {
        return pid;
    }

    /** @return the origin of the base URL, {@code https://host[:port]}: where the key may be sent */
    String origin() {
        return origin;
    }

    /** @return the deploy file this configuration comes from ({@code felix.fileinstall.filename}), or null */
    String fileName() {
        return fileName;
    }

    String id() {
        return id;
    }

    String name() {
        return name;
    }

    boolean enabled() {
        return enabled;
    }

    Dialect dialect() {
        return dialect;
    }

    boolean azure() {
        return dialect == Dialect.AZURE;
    }

    String protocol() {
        return dialect.protocol;
    }

    HttpUrl baseUrl() {
        return baseUrl;
    }

    HttpUrl chatUrl() {
        return chatUrl;
    }

    HttpUrl modelsUrl() {
        return modelsUrl;
    }

    /** @return the base URL without query (which may carry a key), for logs and listings */
    String displayBaseUrl() {
        return displayBaseUrl;
    }

    String apiKeyEnv() {
        return apiKeyEnv;
    }

    List<String> models() {
        return models;
    }

    List<ModelInfo> modelInfos() {
        return modelInfos;
    }

    Headers headers() {
        return headers;
    }

    /** @return whether the custom headers already authenticate ({@code Authorization} or {@code api-key}) */
    boolean customAuth() {
        return customAuth;
    }

    int timeoutSeconds() {
        return timeoutSeconds;
    }

    /** @return how many chats may run at once through this provider; 0 for no limit */
    int maxConcurrent() {
        return maxConcurrent;
    }

    /** @return the provider's read timeout, or null for the shared client's */
    /**
     * @return this provider's TLS and proxy settings ({@code caCertificates}, {@code clientCertificate},
     *         {@code clientKey}, {@code proxy}); {@link ConnectionSettings#HUB} when it has none
     */
    ConnectionSettings connection() {
        return connection;
    }

    Duration timeout() {
        return timeoutSeconds == 0 ? null : Duration.ofSeconds(timeoutSeconds);
    }

    String preset() {
        return preset;
    }

    int ranking() {
        return ranking;
    }

    /** @return how requests travel: https, on this machine, or plain http to another host (refused or allowed) */
    Transport transport() {
        return transport;
    }

    /** @return whether the base URL points at this machine, where servers usually need no key */
    boolean local() {
        return local;
    }

    @Override
    public String toString() {
        return "provider " + id + " (" + dialect.protocol + ", " + displayBaseUrl + ", " + models.size()
                + " models" + (connection.isHub() ? "" : ", " + connection) + ")";
    }

    private static final class Builder {
        String pid;
        String id;
        String name;
        boolean enabled;
        Dialect dialect;
        HttpUrl baseUrl;
        HttpUrl chatUrl;
        HttpUrl modelsUrl;
        String displayBaseUrl;
        String apiKeyEnv;
        List<String> models;
        Headers headers;
        int timeoutSeconds;
        int maxConcurrent;
        String preset;
        int ranking;
        boolean allowInsecure;
        String origin;
        String fileName;
        ConnectionSettings connection = ConnectionSettings.HUB;
    }
}
