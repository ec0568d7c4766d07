package dev.moryflow.gateway.internal;

import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;

/**
 * Reads one request's body as its bytes arrive, without a thread waiting for a client that sends slowly: the
 * container calls back when bytes are there. A body that stops arriving for the idle time is given up on (the
 * receiver answers it), so a thousand trickling clients hold memory for their bytes and a timer entry each, no
 * thread and no connection slot of anyone else.
 */
final class BodyReader implements ReadListener {

    /** What becomes of the body; each is called once, and only one of them. */
    interface Receiver {
        /** The whole body (at most the limit), on a container thread. */
        void received(byte[] body);

        /** The body is larger than the limit; {@code drained} whether it was read to its end (else close). */
        void tooLarge(boolean drained);

        /** No byte arrived for the idle time: on a container thread. */
        void stalled(long idleMillis);

        /** The client's connection failed or closed while it sent its body. */
        void failed(Throwable cause);
    }

    private final AsyncContext async;
    private final ServletInputStream in;
    private final int limit;
    private final long drainLimit;
    private final long idleNanos;
    private final ScheduledExecutorService timer;
    private final Receiver receiver;
    private final AtomicBoolean done = new AtomicBoolean();
    private final byte[] chunk = new byte[8192];
    private byte[] body;
    private long length;
    private volatile long lastRead = System.nanoTime();
    private volatile ScheduledFuture<?> check;

    private BodyReader(AsyncContext async, ServletInputStream in, int limit, long drainLimit, long idleMillis,
            ScheduledExecutorService timer, Receiver receiver, long declared) {
        this.async = async;
        this.in = in;
        this.limit = limit;
        this.drainLimit = drainLimit;
        this.idleNanos = TimeUnit.MILLISECONDS.toNanos(idleMillis);
        this.timer = timer;
        this.receiver = receiver;
        this.body = new byte[(int) Math.min(Math.max(declared, 0), limit + 1L)];
    }

    /**
     * Starts reading the body of a request put in asynchronous mode.
     *
     * @param async      the request's asynchronous context (its timeout is the caller's)
     * @param declared   the declared length, or -1 when chunked
     * @param limit      the largest body received; past it, read on up to {@code drainLimit} and discard
     * @param drainLimit the most bytes read of a body that is too large
     * @param idleMillis how long the client may send nothing before it is given up on
     * @param timer      where the idle checks run (they hand the answer to a container thread)
     * @param receiver   told once what became of the body
     * @throws IOException when the input cannot be read
     */
    static void read(AsyncContext async, long declared, int limit, long drainLimit, long idleMillis,
            ScheduledExecutorService timer, Receiver receiver) throws IOException {
        ServletInputStream in = async.getRequest().getInputStream();
        BodyReader reader = new BodyReader(async, in, limit, drainLimit, idleMillis, timer, receiver, declared);
        reader.schedule(idleMillis);
        in.setReadListener(reader);
    }

    @Override
    public void onDataAvailable() throws IOException {
        while (!done.get() && in.isReady()) {
            int n = in.read(chunk);
            if (n < 0) {
                return; // onAllDataRead follows
            }
            lastRead = System.nanoTime();
            if (length + n <= limit) {
                if (length + n > body.length) {
                    body = Arrays.copyOf(body, (int) Math.min(Math.max(body.length * 2L, length + n), limit));
                }
                System.arraycopy(chunk, 0, body, (int) length, n);
            }
            length += n;
            if (length > drainLimit && finish()) {
                receiver.tooLarge(false);
                return;
            }
        }
    }

    @Override
    public void onAllDataRead() {
        if (!finish()) {
            return;
        }
        if (length > limit) {
            receiver.tooLarge(true);
        } else {
            receiver.received(length == body.length ? body : Arrays.copyOf(body, (int) length));
        }
    }

    @Override
    public void onError(Throwable t) {
        if (finish()) {
            receiver.failed(t);
        }
    }

    private boolean finish() {
        if (!done.compareAndSet(false, true)) {
            return false;
        }
        ScheduledFuture<?> c = check;
        if (c != null) {
            c.cancel(false);
        }
        return true;
    }

    /** One timer entry per request, moved on to the last byte's idle deadline each time it fires. */
    private void schedule(long delayMillis) {
        check = timer.schedule(this::checkIdle, Math.max(1, delayMillis), TimeUnit.MILLISECONDS);
    }

    private void checkIdle() {
        if (done.get()) {
            return;
        }
        long idle = System.nanoTime() - lastRead;
        if (idle < idleNanos) {
            schedule(TimeUnit.NANOSECONDS.toMillis(idleNanos - idle) + 1);
            return;
        }
        if (finish()) {
            // answered on a container thread: the timer's single thread never writes to a client
            async.start(() -> receiver.stalled(TimeUnit.NANOSECONDS.toMillis(idle)));
        }
    }
}
