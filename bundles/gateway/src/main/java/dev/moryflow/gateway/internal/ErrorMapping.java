package dev.moryflow.gateway.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.moryflow.provider.ProviderException;
import dev.moryflow.provider.UpstreamAnswer;

/**
 * How a failed chat looks to an OpenAI client.
 * <ul>
 * <li><b>The upstream answered</b> ({@link ProviderException#upstreamAnswer()}): the client gets what the upstream
 * said — its HTTP status (200 when the error came inside a successful answer or stream), its error object as sent
 * ({@code message}, {@code type}, {@code code}, {@code param}), and its {@code Retry-After} and
 * {@code x-ratelimit-*} headers. The hub's {@link dev.moryflow.provider.Problem} is not used to relabel it. One
 * exception: a 401 keeps its status and fields, but its message says that the provider refused the key the hub holds
 * for it (not the client's gateway token) and how to store a new one, followed by the upstream's own message.
 * An answer without an error object (an HTML page, plain text) keeps its status and gets the hub's message.</li>
 * <li><b>No answer, or the hub refused the request itself</b> (connection, timeout, TLS, no key, routing,
 * admission): the status, {@code type} and {@code code} of the hub's classification (502/503/504, 4xx for what the
 * client can fix).</li>
 * </ul>
 */
final class ErrorMapping {

    final int status;
    final String type;
    final String code;

    private ErrorMapping(int status, String type, String code) {
        this.status = status;
        this.type = type;
        this.code = code;
    }

    /** The hub's own mapping of a problem, for failures without an upstream answer. */
    static ErrorMapping of(ProviderException e) {
        switch (e.problem()) {
            case BAD_REQUEST:
                return new ErrorMapping(400, "invalid_request_error", e.upstreamCode());
            case CONTEXT_TOO_LONG:
                return new ErrorMapping(400, "invalid_request_error", "context_length_exceeded");
            case MODEL_NOT_FOUND:
                return new ErrorMapping(404, "invalid_request_error", "model_not_found");
            case RATE_LIMITED:
                return new ErrorMapping(429, "rate_limit_error", "rate_limit_exceeded");
            case PERMISSION:
                return new ErrorMapping(403, "permission_error", "upstream_permission_denied");
            case AUTHENTICATION:
                return new ErrorMapping(502, "upstream_error", "upstream_authentication_failed");
            case NOT_READY:
                return new ErrorMapping(503, "provider_not_ready", "provider_not_ready");
            case TIMEOUT:
                return new ErrorMapping(504, "upstream_error", "upstream_timeout");
            case CANCELLED:
                return new ErrorMapping(499, "cancelled", "cancelled");
            case CONNECTION_FAILED:
                return new ErrorMapping(502, "upstream_error", "upstream_connection_failed");
            case TLS:
                return new ErrorMapping(502, "upstream_error", "upstream_tls_failed");
            case RESPONSE_FORMAT:
                return new ErrorMapping(502, "upstream_error", "upstream_response_format");
            default:
                return new ErrorMapping(502, "upstream_error", "upstream_error");
        }
    }

    /**
     * The message a client shows for a failure the hub describes: what happened, who said it (unless the message
     * starts by naming the provider already), and what to do.
     */
    static String message(ProviderException e) {
        String named = e.providerId() == null ? "" : "provider '" + e.providerId() + "'";
        return (named.isEmpty() || e.getMessage().startsWith(named) ? "" : named + ": ") + e.getMessage() + ". "
                + e.hint();
    }

    /** The whole answer to a failed chat: status, headers to add, and the {@code {"error": ...}} body. */
    static final class Answer {
        /** The HTTP status; 200 when the upstream reported the error inside a successful answer or stream. */
        final int status;
        /** Headers of the upstream's answer to pass on ({@code Retry-After}, {@code x-ratelimit-*}). */
        final Map<String, String> headers;
        /** The error object, {@code {"error": {...}}}. */
        final byte[] body;

        Answer(int status, Map<String, String> headers, byte[] body) {
            this.status = status;
            this.headers = headers;
            this.body = body;
        }
    }

    /**
     * @param e    the failure
     * @param wire writes the body
     * @return what the client gets
     */
    static Answer answer(ProviderException e, OpenAiWire wire) {
        UpstreamAnswer up = e.upstreamAnswer();
        if (up == null || up.status() <= 0) {
            ErrorMapping m = of(e);
            return new Answer(m.status, Map.of(), wire.error(message(e), m.type, null, m.code));
        }
        if (up.error() == null) {
            ErrorMapping m = of(e);
            String code = e.upstreamCode() != null ? e.upstreamCode() : m.code;
            String message = up.status() == 401 ? keyRefused(e, e.getMessage()) : message(e);
            return new Answer(up.status(), up.headers(), wire.error(message, m.type, null, code));
        }
        Map<String, Object> error = up.error();
        if (up.status() == 401) {
            Map<String, Object> named = new LinkedHashMap<>(error);
            named.put("message", keyRefused(e, up.errorText("message")));
            error = named;
        }
        return new Answer(up.status(), up.headers(), wire.errorObject(error));
    }

    /** A 401 from the upstream: the provider refused the hub's key for it; the client's token was fine. */
    private static String keyRefused(ProviderException e, String upstreamMessage) {
        String id = e.providerId() == null ? "the provider" : e.providerId();
        String provider = e.providerId() == null ? "the provider" : "provider '" + id + "'";
        return provider + " rejected the API key this hub holds for it (HTTP 401 from the provider"
                + (upstreamMessage == null || upstreamMessage.isBlank() ? "" : ": " + upstreamMessage)
                + "). Your gateway token was accepted. Fix: store a valid key for " + provider
                + " with moryflow:key-set " + id + " in the shell, PUT /api/providers/" + id
                + "/key, or the API Key field of its configuration in the Web Console.";
    }
}
