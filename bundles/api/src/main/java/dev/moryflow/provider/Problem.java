package dev.moryflow.provider;

/**
 * Why a call to a provider failed, as a small fixed set of causes a person can act on. Each problem has a default
 * hint in the user's words; a {@link ProviderException} may carry a more precise one.
 */
public enum Problem {
    /** The connection could not be made: DNS failure, refused, reset, unreachable network or proxy. */
    CONNECTION_FAILED("connection failed",
            "Check the Base URL is correct (it usually ends with /v1), that the service is running, and that your network can reach it."),
    /** The TLS handshake failed: untrusted or expired certificate, host name mismatch, protocol mismatch. */
    TLS("TLS handshake failed",
            "The server's certificate was not accepted. Check the host name in the Base URL and that the certificate is valid and trusted."),
    /** The key was missing or rejected (HTTP 401). */
    AUTHENTICATION("authentication failed",
            "Confirm the API key is valid and belongs to this provider; store a new one if it was rotated or revoked."),
    /** The key is valid but not allowed to do this, or the service is not offered in this region (HTTP 403, 451). */
    PERMISSION("permission denied or region restricted",
            "Confirm the model is available in your account and that the provider serves your region."),
    /** The model id is not known to the provider (HTTP 404 or the provider's model error code). */
    MODEL_NOT_FOUND("model not found",
            "Confirm the model ID spelling is correct and that the model is available in your account."),
    /** Too many requests or quota used up (HTTP 429). */
    RATE_LIMITED("rate limited",
            "The provider is limiting requests or your quota is used up. Wait and retry, or check your plan."),
    /** The prompt and answer do not fit the model's context window. */
    CONTEXT_TOO_LONG("context too long",
            "Shorten the conversation or choose a model with a larger context window."),
    /** The provider refused the request as malformed or unsupported (HTTP 400, 422). */
    BAD_REQUEST("bad request",
            "The provider did not accept a request parameter. Check its documentation and adjust the request parameters."),
    /** The provider failed (HTTP 5xx) or answered with an unexpected status. */
    UPSTREAM_ERROR("provider error",
            "The provider had an error. Retry later; if it persists, contact the provider."),
    /** The answer is not OpenAI-compatible: not JSON, required fields missing, broken stream. */
    RESPONSE_FORMAT("response format wrong",
            "The provider may not be fully OpenAI compatible. Check the provider's documentation, adjust request parameters, or contact the provider."),
    /** No answer within the configured time. */
    TIMEOUT("timed out",
            "The provider did not answer in time. Check your network, or raise timeoutSeconds for slow local models."),
    /** The request was cancelled by its caller. */
    CANCELLED("cancelled", "The request was cancelled."),
    /** The hub cannot send the request as configured: no key, provider disabled, model lacks a capability. */
    NOT_READY("not ready",
            "Complete the provider's configuration: set its API key, enable it, or pick a model that supports the request.");

    private final String title;
    private final String hint;

    Problem(String title, String hint) {
        this.title = title;
        this.hint = hint;
    }

    /** @return a short title in the user's words, for example {@code model not found} */
    public String title() {
        return title;
    }

    /** @return the default hint: what the user can do about it */
    public String defaultHint() {
        return hint;
    }
}
