package dev.moryflow.http.internal;

import java.io.IOException;
import java.util.Locale;

import dev.moryflow.http.AnswerTooLargeException;
import dev.moryflow.http.HttpClients;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;

/**
 * Bounds every answer read whole ({@value HttpClients#PROP_MAX_ANSWER_MIB}): a body whose {@code Content-Length} is
 * larger fails at once; any other fails with {@link AnswerTooLargeException} as soon as one byte more than the limit
 * is read, so a caller's {@code bytes()} or {@code string()} never holds more than the limit. Event streams are not
 * bounded as a whole (they are read one event at a time, each bounded by {@link dev.moryflow.http.SseReader}): a body
 * whose content type is {@code text/event-stream}, or has none while the request accepted an event stream.
 */
final class AnswerLimitInterceptor implements Interceptor {

    private final long maxBytes;
    private final AnswerMemory memory;

    /**
     * @param maxBytes the most bytes of one answer
     * @param memory   the bytes of all answers being read whole now, shared by every client of the hub
     */
    AnswerLimitInterceptor(long maxBytes, AnswerMemory memory) {
        this.maxBytes = maxBytes;
        this.memory = memory;
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Response response = chain.proceed(chain.request());
        ResponseBody body = response.body();
        if (eventStream(response, body.contentType())) {
            return response;
        }
        if (body.contentLength() > maxBytes) {
            response.close();
            throw tooLarge();
        }
        return response.newBuilder().body(new LimitedBody(body, maxBytes)).build();
    }

    private static boolean eventStream(Response response, MediaType type) {
        if (type == null) {
            String accept = response.request().header("Accept");
            return accept != null && accept.toLowerCase(Locale.ROOT).contains("text/event-stream");
        }
        return "text".equalsIgnoreCase(type.type()) && "event-stream".equalsIgnoreCase(type.subtype());
    }

    private AnswerTooLargeException tooLarge() {
        return new AnswerTooLargeException(maxBytes, HttpClients.PROP_MAX_ANSWER_MIB, false);
    }

    /** The body, failing once more than the limit was read. */
    private final class LimitedBody extends ResponseBody {
        private final ResponseBody delegate;
        private final BufferedSource source;

        /**
         * What this answer holds of the hub's memory for answers: given back when the response is closed, after the
         * caller has parsed and passed it on (every caller closes its response), not when its bytes have been read.
         */
        private final AnswerMemory.Share share = memory.share();

        LimitedBody(ResponseBody delegate, long limit) {
            this.delegate = delegate;
            this.source = Okio.buffer(new ForwardingSource(delegate.source()) {
                private long read;

                @Override
                public long read(Buffer sink, long byteCount) throws IOException {
                    long n = super.read(sink, byteCount);
                    if (n > 0) {
                        read += n;
                        if (read > limit) {
                            sink.clear();
                            share.release();
                            throw tooLarge();
                        }
                        if (!share.take(n)) {
                            sink.clear();
                            share.release();
                            throw memory.full();
                        }
                    }
                    return n;
                }
            });
        }

        @Override
        public MediaType contentType() {
            return delegate.contentType();
        }

        @Override
        public long contentLength() {
            return delegate.contentLength();
        }

        @Override
        public BufferedSource source() {
            return source;
        }

        @Override
        public void close() {
            share.release();
            delegate.close();
        }
    }
}
