package dev.moryflow.http;

/**
 * One Server-Sent Event as read by {@link SseReader}: its {@code data} (the {@code data:} lines joined by
 * {@code \n}), and the optional {@code event:} and {@code id:} fields. Immutable.
 */
public final class SseEvent {

    private final String event;
    private final String data;
    private final String id;

    /**
     * @param event the {@code event:} field, or null when the event had none (the SSE default type is
     *              {@code message})
     * @param data  the data, never null
     * @param id    the {@code id:} field, or null
     */
    public SseEvent(String event, String data, String id) {
        this.event = event;
        this.data = data == null ? "" : data;
        this.id = id;
    }

    /** @return the {@code event:} field, or null when absent */
    public String event() {
        return event;
    }

    /** @return the data, its lines joined by {@code \n}; never null */
    public String data() {
        return data;
    }

    /** @return the {@code id:} field, or null when absent */
    public String id() {
        return id;
    }

    @Override
    public String toString() {
        return "SseEvent[" + (event == null ? "" : event + ", ") + data.length() + " chars]";
    }
}
