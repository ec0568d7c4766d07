package dev.moryflow.provider;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an upstream answered when a call failed, kept so that a gateway can answer its client as the upstream did:
 * the HTTP status, the upstream's own error object, and the headers a client acts on ({@code Retry-After},
 * {@code x-ratelimit-*}). The hub's classification ({@link ProviderException#problem()}) is for the doctor, events
 * and listings; it never replaces the upstream's own {@code type}, {@code code} or {@code param} in a client's answer.
 * <p>
 * Immutable. Holds no key: whoever builds one redacts the upstream's text first (the {@code http} bundle's
 * {@code Problems} does).
 *
 * @since 2.1
 */
public final class UpstreamAnswer implements Serializable {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final Map<String, Object> error;
    private final Map<String, String> headers;

    /**
     * @param status  the HTTP status of the upstream's answer as it was sent: 200 for an error inside a successful
     *                answer or an event stream
     * @param error   the upstream's error object as it was sent (the value of its {@code error} field: JSON values
     *                as maps, lists, strings, numbers, booleans and nulls), already redacted; null when the answer
     *                carried no error object (an HTML page, plain text, {@code {"detail": ...}})
     * @param headers the answer's headers; only those {@link #isForwarded(String) forwarded} are kept
     */
    public UpstreamAnswer(int status, Map<String, ?> error, Map<String, String> headers) {
        this.status = status;
        this.error = error == null ? null : frozenMap(error);
        Map<String, String> kept = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (headers != null) {
            headers.forEach((name, value) -> {
                if (name != null && value != null && isForwarded(name)) {
                    kept.put(name, value);
                }
            });
        }
        this.headers = Collections.unmodifiableMap(kept);
    }

    /**
     * The headers of an upstream's error answer that a client needs to act as it would with the upstream directly:
     * {@code Retry-After} and {@code retry-after-ms} (how long to wait before retrying) and every
     * {@code x-ratelimit-*} header (limits, remaining requests and tokens, reset times).
     *
     * @param name a header name, in any case
     * @return whether a gateway forwards it
     */
    public static boolean isForwarded(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.equals("retry-after") || n.equals("retry-after-ms") || n.startsWith("x-ratelimit-");
    }

    /** @return the HTTP status of the upstream's answer as sent (200 for an error inside a successful answer) */
    public int status() {
        return status;
    }

    /**
     * @return the upstream's error object as it sent it ({@code message}, {@code type}, {@code code},
     *         {@code param} and whatever else it had), unmodifiable; null when the answer had none
     */
    public Map<String, Object> error() {
        return error;
    }

    /**
     * @param field a field of the error object, for example {@code code}
     * @return its value as text (a number as its digits), or null when absent, null or not text or number
     */
    public String errorText(String field) {
        Object v = error == null ? null : error.get(field);
        return v instanceof String || v instanceof Number || v instanceof Boolean ? String.valueOf(v) : null;
    }

    /**
     * @return the forwarded headers of the answer by name (case-insensitive), unmodifiable, in name order; empty
     *         when there were none
     */
    public Map<String, String> headers() {
        return headers;
    }

    private static Map<String, Object> frozenMap(Map<?, ?> m) {
        Map<String, Object> copy = new LinkedHashMap<>();
        m.forEach((k, v) -> copy.put(String.valueOf(k), frozen(v)));
        return Collections.unmodifiableMap(copy);
    }

    private static Object frozen(Object v) {
        if (v instanceof Map) {
            return frozenMap((Map<?, ?>) v);
        }
        if (v instanceof List) {
            List<Object> copy = new ArrayList<>();
            for (Object o : (List<?>) v) {
                copy.add(frozen(o));
            }
            return Collections.unmodifiableList(copy);
        }
        return v instanceof String || v instanceof Number || v instanceof Boolean || v == null ? v : String.valueOf(v);
    }

    @Override
    public String toString() {
        return "UpstreamAnswer[" + status + (error == null ? "" : ", code " + errorText("code") + ", type "
                + errorText("type")) + (headers.isEmpty() ? "" : ", headers " + headers.keySet()) + "]";
    }
}
