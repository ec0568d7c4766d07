package dev.moryflow.http;

import java.io.IOException;

/**
 * An upstream answer, or one event of a streamed answer, was larger than the limit the hub allows: reading stopped
 * there, and what was read is dropped. Thrown while reading a body from the shared client ({@link HttpClients}) or
 * an event from {@link SseReader}; {@link Problems#transport} turns it into a
 * {@link dev.moryflow.provider.Problem#RESPONSE_FORMAT} failure naming the limit and the property that sets it.
 */
public final class AnswerTooLargeException extends IOException {

    private static final long serialVersionUID = 1L;

    private final long limitBytes;
    private final String property;
    private final boolean event;

    /**
     * @param limitBytes the limit that was passed, in bytes
     * @param property   the {@code moryflow.http} property that sets it ({@link HttpClients#PROP_MAX_ANSWER_MIB} or
     *                   {@link HttpClients#PROP_MAX_EVENT_MIB})
     * @param event      whether one event of a stream was too large (else the whole answer)
     */
    public AnswerTooLargeException(long limitBytes, String property, boolean event) {
        super((event ? "an event of the stream" : "the answer") + " is larger than " + size(limitBytes)
                + " (the limit set by " + property + " of " + HttpClients.PID + ")");
        this.limitBytes = limitBytes;
        this.property = property;
        this.event = event;
    }

    /** @return the limit, in bytes */
    public long limitBytes() {
        return limitBytes;
    }

    /** @return the configuration property of {@code moryflow.http} that sets the limit */
    public String property() {
        return property;
    }

    /** @return whether one event of a stream was too large (else the whole answer) */
    public boolean isEvent() {
        return event;
    }

    /**
     * @param bytes a size
     * @return it in words: {@code 32 MiB}, or bytes when it is not a whole number of MiB
     */
    public static String size(long bytes) {
        long mib = 1024L * 1024;
        return bytes % mib == 0 ? bytes / mib + " MiB" : bytes + " bytes";
    }
}
