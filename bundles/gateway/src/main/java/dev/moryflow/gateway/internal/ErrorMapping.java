package dev.moryflow.gateway.internal;

import dev.moryflow.provider.ProviderException;

/**
 * How a failed chat looks to an OpenAI client: the HTTP status, the error {@code type} and {@code code}. The
 * client's request was fine when an upstream failed, so upstream failures are 502/503/504, not the upstream's 4xx
 * (an upstream 401 means the hub's stored key is wrong, not the client's token).
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

    /** The message a client shows: what happened, who said it, and what to do. */
    static String message(ProviderException e) {
        return (e.providerId() == null ? "" : "provider '" + e.providerId() + "': ") + e.getMessage() + ". "
                + e.hint();
    }
}
