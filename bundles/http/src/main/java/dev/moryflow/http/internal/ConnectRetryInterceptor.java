package dev.moryflow.http.internal;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Locale;

import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;

/**
 * The retry policy of the shared client, as an application interceptor.
 * <ul>
 * <li>Retries a call up to {@code retries} times when the connection could not be made at all: refused, no route,
 * host not resolved, connect timeout. None of these can happen after a byte of the request was sent.</li>
 * <li>Wraps the body of every request that is not idempotent (POST, PATCH) in a {@link GuardedBody}: one-shot, so
 * OkHttp's own recovery never sends a POST again once its bytes started leaving the machine, unless
 * {@link StaleConnectionGuard} has proof that the server had closed the connection before the request was written
 * (then nothing of it can have been processed, and OkHttp sends it again on another connection).</li>
 * </ul>
 */
final class ConnectRetryInterceptor implements Interceptor {

    private final int retries;

    ConnectRetryInterceptor(int retries) {
        this.retries = retries;
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Request request = chain.request();
        RequestBody body = request.body();
        if (body != null && !body.isOneShot() && !idempotent(request.method())) {
            request = request.newBuilder().method(request.method(), new GuardedBody(body)).build();
        }
        for (int attempt = 0;; attempt++) {
            try {
                return chain.proceed(request);
            } catch (IOException e) {
                if (attempt >= retries || chain.call().isCanceled() || !beforeAnyByte(e)) {
                    throw e;
                }
            }
        }
    }

    private static boolean idempotent(String method) {
        switch (method) {
            case "GET":
            case "HEAD":
            case "PUT":
            case "DELETE":
            case "OPTIONS":
                return true;
            default:
                return false;
        }
    }

    /** @return whether the failure happened while connecting, so no byte of the request was sent */
    static boolean beforeAnyByte(IOException e) {
        if (e instanceof ConnectException || e instanceof NoRouteToHostException
                || e instanceof UnknownHostException) {
            return true;
        }
        return e instanceof SocketTimeoutException && e.getMessage() != null
                && e.getMessage().toLowerCase(Locale.ROOT).contains("connect");
    }

    /**
     * A request body OkHttp must not write twice, except right after {@link StaleConnectionGuard} found that the
     * attempt went to a connection the server had already closed: {@link #isOneShot()} is false only between that
     * finding and the next attempt (OkHttp asks it when it decides whether to recover).
     */
    static final class GuardedBody extends RequestBody {
        private final RequestBody delegate;
        private volatile boolean resendable;
        private volatile int resends;

        GuardedBody(RequestBody delegate) {
            this.delegate = delegate;
        }

        /** Called at the start of each attempt: the request is one-shot again. */
        void attemptStarts() {
            resendable = false;
        }

        /**
         * Allows one more sending, because the attempt that just failed provably never reached the server.
         *
         * @param max the most resends of one call
         * @return whether it was allowed (false once {@code max} resends were made)
         */
        boolean allowResend(int max) {
            if (resends >= max) {
                return false;
            }
            resends++;
            resendable = true;
            return true;
        }

        @Override
        public MediaType contentType() {
            return delegate.contentType();
        }

        @Override
        public long contentLength() throws IOException {
            return delegate.contentLength();
        }

        @Override
        public void writeTo(BufferedSink sink) throws IOException {
            delegate.writeTo(sink);
        }

        @Override
        public boolean isOneShot() {
            return !resendable;
        }
    }
}
