package dev.moryflow.provider;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A running stream, implemented by provider bundles. Cancelling closes the upstream connection; the listener is not called again afterwards.
 */
@ConsumerType
public interface StreamHandle {

    /** Stops the stream and releases its connection. Idempotent. */
    void cancel();

    /** @return whether the stream has completed, failed or been cancelled */
    boolean isDone();

    /**
     * @return a handle for a call that has already ended: cancelling it does nothing
     * @since 2.3
     */
    static StreamHandle done() {
        return Done.INSTANCE;
    }
}
