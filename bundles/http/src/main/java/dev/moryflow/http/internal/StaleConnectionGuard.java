package dev.moryflow.http.internal;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.moryflow.http.internal.ConnectRetryInterceptor.GuardedBody;
import okhttp3.Connection;
import okhttp3.Interceptor;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Lets a POST go out again when, and only when, it was sent on a pooled connection the server had already closed.
 * <p>
 * Servers close keep-alive connections that stay idle: Node after 5 s, uvicorn (vLLM) after 5 s, gunicorn after 2 s.
 * OkHttp checks a pooled connection for that only after 10 s idle, so a request after 5 to 10 s of quiet is written
 * to a dead connection and fails ("unexpected end of stream") before any answer; its one-shot body
 * ({@link GuardedBody}) keeps OkHttp from recovering. A request that a server read and then dropped fails the same
 * way, and must not be sent twice, so the failure alone cannot tell the two apart.
 * <p>
 * The proof is taken before writing: a network interceptor, for a request with a {@link GuardedBody} on an HTTP/1.1
 * connection that has answered before and has been idle at least {@code probeAfterIdle}, reads the raw socket with a
 * 1 ms timeout (as OkHttp's own extended health check does). End of stream or a reset means the server closed the
 * connection before this request was written, so no part of it can have been read there; the request is then written
 * as usual, fails, and its body is allowed one more sending ({@link GuardedBody#allowResend}), which OkHttp makes on
 * another connection. A timeout means the connection is alive: any failure after that is final. HTTP/2 connections are
 * not probed (their frames must not be read here; OkHttp handles their shutdown itself).
 * <p>
 * The idle time is counted from the last answer's headers on the connection (its body may have taken longer), so
 * the probe runs at worst more often than needed, costing at most 1 ms on a request after a quiet spell. A connection
 * whose last answer was HTTP/1.0 without keep-alive is probed before every request: such a server closes it after
 * each answer (Python's http.server does), and a request on it at once would fail every other time.
 */
final class StaleConnectionGuard implements Interceptor {

    /** Resends of one call at most: each one needs its own proof, this only stops a pathological loop. */
    static final int MAX_RESENDS = 4;
    /** Default idle time after which a connection is probed before a POST is written to it. */
    static final long DEFAULT_PROBE_AFTER_IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Logger logger = LoggerFactory.getLogger(StaleConnectionGuard.class);
    private final long probeAfterIdleNanos;
    /** When each connection last gave an answer's headers; weak, so closed connections are forgotten. */
    private final Map<Connection, Long> lastAnswer = Collections.synchronizedMap(new WeakHashMap<>());
    /**
     * Connections whose last answer was HTTP/1.0 without keep-alive: such a server (Python's http.server, for one)
     * closes the connection after each answer, yet OkHttp pools it when the answer had a length; always probed.
     */
    private final Map<Connection, Boolean> closesAfterEach = Collections.synchronizedMap(new WeakHashMap<>());

    /**
     * @param probeAfterIdleNanos how long a connection must have been idle to be probed (0: always, for tests)
     */
    StaleConnectionGuard(long probeAfterIdleNanos) {
        this.probeAfterIdleNanos = probeAfterIdleNanos;
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Request request = chain.request();
        Connection connection = chain.connection();
        GuardedBody body = request.body() instanceof GuardedBody ? (GuardedBody) request.body() : null;
        boolean closedBeforeWriting = false;
        if (body != null && connection != null) {
            body.attemptStarts();
            Long last = lastAnswer.get(connection);
            if (last != null && connection.protocol() == Protocol.HTTP_1_1
                    && (System.nanoTime() - last >= probeAfterIdleNanos || closesAfterEach.containsKey(connection))) {
                closedBeforeWriting = closedByPeer(connection.socket());
            }
        }
        Response response;
        try {
            response = chain.proceed(request);
        } catch (IOException e) {
            if (closedBeforeWriting && !chain.call().isCanceled() && body.allowResend(MAX_RESENDS)) {
                logger.debug("{} {}: the server had closed the pooled connection before the request was written; "
                        + "sending it on another connection ({})", request.method(), request.url().host(), e.toString());
            }
            throw e;
        }
        if (connection != null) {
            lastAnswer.put(connection, System.nanoTime());
            if (response.protocol() == Protocol.HTTP_1_0 && !"keep-alive".equalsIgnoreCase(response.header("Connection"))) {
                closesAfterEach.put(connection, Boolean.TRUE);
            }
        }
        return response;
    }

    /**
     * @return whether the peer has closed (or reset) the connection: a read finds the end of the stream at once. A
     *         connection that sends bytes unasked is not called closed (those bytes are lost, and the exchange fails
     *         without a resend).
     */
    static boolean closedByPeer(Socket socket) {
        int timeout;
        try {
            timeout = socket.getSoTimeout();
        } catch (IOException e) {
            return false;
        }
        try {
            socket.setSoTimeout(1);
            return socket.getInputStream().read() < 0;
        } catch (SocketTimeoutException alive) {
            return false;
        } catch (IOException resetOrClosed) {
            return true;
        } finally {
            try {
                socket.setSoTimeout(timeout);
            } catch (IOException e) {
                // the socket is gone: the exchange will fail on its own
            }
        }
    }
}
