package dev.moryflow.http.internal;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.moryflow.http.ConnectionSettings;
import dev.moryflow.http.HttpClients;
import okhttp3.Authenticator;
import okhttp3.ConnectionPool;
import okhttp3.Credentials;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;

/**
 * The shared OkHttp client. One {@link Dispatcher} and one {@link ConnectionPool} live as long as the component; a
 * configuration change builds a new {@link OkHttpClient} on them and swaps it in atomically, so calls already
 * running keep their client. Derived clients (a provider's own timeout, its own TLS and proxy settings) are cached
 * with the client they derive from and dropped with it.
 */
@Component(name = HttpClients.PID, service = HttpClients.class, configurationPid = HttpClients.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = HttpConfig.class)
public class HttpClientsImpl implements HttpClients {

    /**
     * Idle connections kept: as many as calls may run at once (the dispatcher's limit), so that a gateway under
     * steady load reuses its upstream connections instead of closing and reopening the surplus (measured with the
     * benchmark: with 32, 64 concurrent requests spent their time opening connections and waiting on the pool).
     */
    static final int MAX_IDLE_CONNECTIONS = 256;
    private static final int MAX_DERIVED = 64;

    private final Logger logger = LoggerFactory.getLogger(HttpClientsImpl.class);
    private final Dispatcher dispatcher;
    private final ConnectionPool pool;
    /** Lives as long as the pool: bounds the memory of all answers read whole at once. */
    private final AnswerMemory answerMemory = AnswerMemory.forHeap();
    private final AtomicReference<Current> current = new AtomicReference<>();
    /** Lives as long as the pool: it remembers which pooled connections have answered before. */
    private final StaleConnectionGuard staleGuard =
            new StaleConnectionGuard(StaleConnectionGuard.DEFAULT_PROBE_AFTER_IDLE_NANOS);

    /**
     * @param properties the {@code moryflow.http} configuration (empty when there is none)
     */
    @Activate
    public HttpClientsImpl(Map<String, Object> properties) {
        // no ceiling: a call waiting in the dispatcher's queue would be a stream waiting behind whole answers
        dispatcher = new Dispatcher(CallThreads.executor());
        dispatcher.setMaxRequests(Integer.MAX_VALUE);
        dispatcher.setMaxRequestsPerHost(Integer.MAX_VALUE);
        pool = new ConnectionPool(MAX_IDLE_CONNECTIONS, 5, TimeUnit.MINUTES);
        current.set(build(properties));
    }

    @Modified
    void modified(Map<String, Object> properties) {
        current.set(build(properties));
    }

    @Deactivate
    void deactivate() {
        dispatcher.executorService().shutdown();
        pool.evictAll();
    }

    private Current build(Map<String, Object> properties) {
        HttpSettings s = HttpSettings.from(properties);
        for (String problem : s.problems()) {
            logger.warn("HTTP client configuration {}: {}", PID, problem);
        }
        OkHttpClient.Builder b = new OkHttpClient.Builder()
                .dispatcher(dispatcher)
                .connectionPool(pool)
                .connectTimeout(Duration.ofSeconds(s.connectTimeoutSeconds()))
                .readTimeout(Duration.ofSeconds(s.readTimeoutSeconds()))
                .writeTimeout(Duration.ofSeconds(s.readTimeoutSeconds()))
                .followRedirects(false)
                .followSslRedirects(false)
                // happy-eyeballs connecting starts a task queue for every call, pooled connection or not: measured
                // with the benchmark, turning it off cut the added latency at 1 connection after load from 0.51-0.60
                // to 0.40 ms (a gateway talks to a few hosts and keeps their connections)
                .fastFallback(false)
                .addInterceptor(new ConnectRetryInterceptor(s.retries()))
                .addInterceptor(new AnswerLimitInterceptor(s.maxAnswerBytes(), answerMemory))
                .addNetworkInterceptor(staleGuard);
        if (s.proxy() != null) {
            b.proxy(s.proxy());
            if (s.proxyUser() != null) {
                String credential = Credentials.basic(s.proxyUser(), s.proxyPassword());
                b.proxyAuthenticator((route, response) -> response.request().header("Proxy-Authorization") != null
                        ? null // these credentials were refused already: give up, the 407 is reported
                        : response.request().newBuilder().header("Proxy-Authorization", credential).build());
            }
        }
        logger.info("HTTP client: {}; upstream calls on {} threads, no ceiling", s,
                CallThreads.virtual() ? "virtual" : "platform");
        return new Current(b.build(), s);
    }

    @Override
    public OkHttpClient client() {
        return current.get().client;
    }

    @Override
    public OkHttpClient client(Duration readTimeout) {
        Current c = current.get();
        if (readTimeout == null || readTimeout.isNegative()
                || readTimeout.toMillis() == c.client.readTimeoutMillis()) {
            return c.client;
        }
        OkHttpClient derived = c.derived.get(readTimeout);
        if (derived != null) {
            return derived;
        }
        derived = c.client.newBuilder().readTimeout(readTimeout).writeTimeout(readTimeout).build();
        if (c.derived.size() < MAX_DERIVED) {
            OkHttpClient raced = c.derived.putIfAbsent(readTimeout, derived);
            return raced == null ? derived : raced;
        }
        return derived;
    }

    @Override
    public OkHttpClient client(Duration readTimeout, ConnectionSettings settings) {
        OkHttpClient base = client(readTimeout);
        if (settings == null || settings.isHub()) {
            return base;
        }
        Current c = current.get();
        Duration timeout = Duration.ofMillis(base.readTimeoutMillis());
        ProviderKey key = new ProviderKey(timeout, settings);
        OkHttpClient derived = c.perProvider.get(key);
        if (derived != null) {
            return derived;
        }
        derived = derive(base, settings);
        if (c.perProvider.size() < MAX_DERIVED) {
            OkHttpClient raced = c.perProvider.putIfAbsent(key, derived);
            if (raced == null) {
                logger.debug("HTTP client for a provider: {}, read timeout {} ms", settings,
                        base.readTimeoutMillis());
                return derived;
            }
            return raced;
        }
        return derived;
    }

    /** @return a client on the same pool and dispatcher with the provider's TLS and proxy */
    static OkHttpClient derive(OkHttpClient base, ConnectionSettings settings) {
        OkHttpClient.Builder b = base.newBuilder();
        if (settings.sslSocketFactory() != null) {
            b.sslSocketFactory(settings.sslSocketFactory(), settings.trustManager());
        }
        if (settings.proxy() != null) {
            // the hub proxy's credentials are for the hub's proxy only
            b.proxy(settings.proxy()).proxyAuthenticator(Authenticator.NONE);
        }
        return b.build();
    }

    @Override
    public long maxAnswerBytes() {
        return current.get().settings.maxAnswerBytes();
    }

    @Override
    public long maxEventBytes() {
        return current.get().settings.maxEventBytes();
    }

    /** @return the settings in use, for tests */
    HttpSettings settings() {
        return current.get().settings;
    }

    /** What makes a provider's client: its timeout and its connection settings. */
    private static final class ProviderKey {
        final Duration timeout;
        final ConnectionSettings settings;

        ProviderKey(Duration timeout, ConnectionSettings settings) {
            this.timeout = timeout;
            this.settings = settings;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ProviderKey && ((ProviderKey) o).timeout.equals(timeout)
                    && ((ProviderKey) o).settings.equals(settings);
        }

        @Override
        public int hashCode() {
            return timeout.hashCode() * 31 + settings.hashCode();
        }
    }

    /** A client and the clients derived from it; replaced as a whole. */
    private static final class Current {
        final OkHttpClient client;
        final HttpSettings settings;
        final Map<Duration, OkHttpClient> derived = new ConcurrentHashMap<>();
        final Map<ProviderKey, OkHttpClient> perProvider = new ConcurrentHashMap<>();

        Current(OkHttpClient client, HttpSettings settings) {
            this.client = client;
            this.settings = settings;
        }
    }
}
