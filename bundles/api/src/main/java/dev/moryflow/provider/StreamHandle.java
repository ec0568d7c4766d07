package dev.moryflow.provider;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A running stream. Cancelling closes the upstream connection; the listener is not called again afterwards.
 */
@ProviderType
public interface StreamHandle {

    /** Stops the stream and releases its connection. Idempotent. */
    void cancel();

    /** @return whether the stream has completed, failed or been cancelled */
    boolean isDone();
}
