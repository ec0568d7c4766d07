package dev.moryflow.http;

import java.time.Duration;

import org.osgi.annotation.versioning.ProviderType;

import okhttp3.OkHttpClient;

/**
 * The hub's one outbound HTTP client, configured by the singleton configuration {@value #PID}.
 * <p>
 * There is one {@link OkHttpClient} with one connection pool and one dispatcher with no ceiling on concurrent calls
 * (a gateway carries as many streams as memory allows; a provider may set its own limit, {@code maxConcurrent}). The
 * calls run on virtual threads on Java 21 and later, on platform threads made as needed on Java 17. Protocol bundles take
 * {@link #client()} or, for a provider with its own timeout, {@link #client(Duration)}: a derived client made with
 * {@link OkHttpClient#newBuilder()} that shares the pool and the dispatcher.
 * <p>
 * A configuration change builds a new client and swaps it in atomically: calls already running keep the client they
 * started with; the next call to {@link #client()} returns the new one. Callers should therefore ask for the client
 * per request (both methods are cheap: no allocation once a timeout has been asked for) rather than keep it.
 * <p>
 * Behaviour every caller can rely on:
 * <ul>
 * <li>Redirects are not followed: an API answering with a redirect is almost always a wrong Base URL (for example
 * {@code http://} for an {@code https://} service), and following it would turn a POST into a GET. The 3xx answer is
 * returned and {@link Problems} explains it.</li>
 * <li>A request is retried ({@value #PROP_RETRIES} times at most) only when the connection could not be made at all
 * (refused, unreachable, host not resolved, connect timeout): before any byte was sent. A POST whose bytes left the
 * machine is never sent again, neither by this client nor by OkHttp's own recovery, with one exception: a POST
 * written to a pooled HTTP/1.1 connection that the server had already closed (found by a 1 ms read of the idle
 * connection before writing, as servers such as Node and uvicorn close idle keep-alive connections after 5 s) is
 * sent again on another connection, since no byte of it can have reached the server.</li>
 * </ul>
 */
@ProviderType
public interface HttpClients {

    /** The singleton configuration PID. */
    String PID = "moryflow.http";

    /**
     * Configuration property (String): the proxy every call goes through, {@code http://host:port},
     * {@code http://user:password@host:port} or {@code socks5://host:port}; empty for none (the JVM's own proxy
     * settings, which are none unless the JVM was started with proxy system properties).
     */
    String PROP_PROXY = "proxy";
    /** Configuration property (int, seconds, default 10, 0 = no limit): time allowed to open a connection. */
    String PROP_CONNECT_TIMEOUT = "connectTimeoutSeconds";
    /**
     * Configuration property (int, seconds, default 120, 0 = no limit): longest silence while reading an answer
     * (the time to the whole answer of a non-streamed chat, the gap between chunks of a streamed one) or writing a
     * request. A provider's own {@code timeoutSeconds} replaces it for that provider.
     */
    String PROP_READ_TIMEOUT = "readTimeoutSeconds";
    /** Configuration property (int, 0 to 10, default 0): attempts added when a connection cannot be made. */
    String PROP_RETRIES = "retries";

    /**
     * Configuration property (int, MiB, default {@value #DEFAULT_MAX_ANSWER_MIB}, 1 to 2047): the largest answer read
     * whole (anything but an event stream). A larger one is cut off there and fails with
     * {@link AnswerTooLargeException}, so no upstream answer can exhaust the hub's memory.
     */
    String PROP_MAX_ANSWER_MIB = "maxAnswerMiB";
    /**
     * Configuration property (int, MiB, default {@value #DEFAULT_MAX_EVENT_MIB}, 1 to 2047): the largest single event
     * of a streamed answer (and so the longest line). A larger one fails the stream with
     * {@link AnswerTooLargeException}; a stream as a whole has no limit, since it is never held.
     */
    String PROP_MAX_EVENT_MIB = "maxEventMiB";
    /** Default of {@value #PROP_MAX_ANSWER_MIB}. */
    int DEFAULT_MAX_ANSWER_MIB = 32;
    /** Default of {@value #PROP_MAX_EVENT_MIB}. */
    int DEFAULT_MAX_EVENT_MIB = 8;

    /**
     * The ceiling of concurrent calls the shared dispatcher had until 1.3.
     *
     * @deprecated there is no ceiling any more: a stream never waits behind others for a place; kept for binary
     *             compatibility
     */
    @Deprecated
    int MAX_REQUESTS = 256;

    /** @return the current shared client */
    OkHttpClient client();

    /**
     * A client derived from the current shared client whose read and write timeout is {@code readTimeout}; it shares
     * the connection pool, the dispatcher, the proxy and the retry policy. Derived clients are cached per timeout
     * until the configuration changes.
     *
     * @param readTimeout the read and write timeout; {@link Duration#ZERO} for no limit; null or negative for the
     *                    shared client's own
     * @return the derived client (the shared client itself when the timeout equals its own)
     */
    OkHttpClient client(Duration readTimeout);

    /**
     * A client for one provider: derived from the current shared client (sharing its connection pool and dispatcher;
     * OkHttp keeps connections of different TLS or proxy settings apart, as they are part of a connection's address)
     * with the provider's read timeout and its own {@link ConnectionSettings}: extra trusted CA certificates, a client
     * certificate, its own proxy or {@value ConnectionSettings#DIRECT}. Cached per timeout and settings until the
     * configuration changes; a provider's proxy comes without the hub proxy's credentials.
     *
     * @param readTimeout as for {@link #client(Duration)}
     * @param settings    the provider's settings; null or {@link ConnectionSettings#HUB} for the hub's own
     * @return the derived client ({@link #client(Duration)} when the settings are the hub's)
     * @since 1.2
     */
    OkHttpClient client(Duration readTimeout, ConnectionSettings settings);

    /**
     * The largest answer body read whole, as configured by {@value #PROP_MAX_ANSWER_MIB}. The clients enforce it
     * themselves: a body that is not {@code text/event-stream} (nor without a content type when the request accepted
     * one) fails with {@link AnswerTooLargeException} once more bytes are read, or at once when its
     * {@code Content-Length} says so.
     *
     * @return the limit in bytes
     * @since 1.1
     */
    default long maxAnswerBytes() {
        return DEFAULT_MAX_ANSWER_MIB * 1024L * 1024;
    }

    /**
     * The largest single event of a streamed answer, as configured by {@value #PROP_MAX_EVENT_MIB}: pass it to
     * {@link SseReader#SseReader(okio.BufferedSource, long)}.
     *
     * @return the limit in bytes
     * @since 1.1
     */
    default long maxEventBytes() {
        return DEFAULT_MAX_EVENT_MIB * 1024L * 1024;
    }
}
