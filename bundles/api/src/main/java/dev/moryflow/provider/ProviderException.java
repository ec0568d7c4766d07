package dev.moryflow.provider;

import java.util.Objects;

/**
 * A call to a provider failed. Carries the {@link Problem}, a message that says what happened, a hint that says what
 * to do, and, where there was an HTTP answer, its status and the provider's own error code, and the
 * {@link #upstreamAnswer() upstream's answer} as it was sent (status, error object, rate-limit headers) for a gateway
 * to hand on unchanged.
 * <p>
 * Messages never contain an API key: code that builds one from an upstream answer must pass the text through
 * {@link #redact(String, char[])} or an equivalent first.
 */
public class ProviderException extends Exception {

    private static final long serialVersionUID = 1L;

    private final Problem problem;
    private final String hint;
    private final int httpStatus;
    private final String upstreamCode;
    private final String providerId;
    private final UpstreamAnswer upstreamAnswer;

    /**
     * @param problem      the cause category, not null
     * @param message      what happened, in plain words
     * @param hint         what to do; the problem's default hint when null
     * @param httpStatus   the upstream's HTTP status, or 0 when there was no answer
     * @param upstreamCode the provider's own error code ({@code error.code} or {@code error.type}), or null
     * @param providerId   the provider id, or null when not known
     * @param cause        the underlying failure, or null; its message must not contain a key either
     */
    public ProviderException(Problem problem, String message, String hint, int httpStatus, String upstreamCode,
            String providerId, Throwable cause) {
        this(problem, message, hint, httpStatus, upstreamCode, providerId, cause, null);
    }

    private ProviderException(Problem problem, String message, String hint, int httpStatus, String upstreamCode,
            String providerId, Throwable cause, UpstreamAnswer upstreamAnswer) {
        super(message, cause);
        this.problem = Objects.requireNonNull(problem, "problem");
        this.hint = hint == null || hint.isBlank() ? problem.defaultHint() : hint;
        this.httpStatus = httpStatus;
        this.upstreamCode = upstreamCode;
        this.providerId = providerId;
        this.upstreamAnswer = upstreamAnswer;
    }

    /**
     * @param problem the cause category
     * @param message what happened
     */
    public ProviderException(Problem problem, String message) {
        this(problem, message, null, 0, null, null, null);
    }

    /**
     * @param problem the cause category
     * @param message what happened
     * @param hint    what to do
     */
    public ProviderException(Problem problem, String message, String hint) {
        this(problem, message, hint, 0, null, null, null);
    }

    /** @return the cause category */
    public Problem problem() {
        return problem;
    }

    /** @return what the user can do about it */
    public String hint() {
        return hint;
    }

    /** @return the upstream HTTP status, or 0 when no answer was received */
    public int httpStatus() {
        return httpStatus;
    }

    /** @return the provider's own error code, or null */
    public String upstreamCode() {
        return upstreamCode;
    }

    /** @return the provider id, or null */
    public String providerId() {
        return providerId;
    }

    /**
     * @param id the provider id
     * @return this exception with the provider id set (a copy when it differs)
     */
    public ProviderException withProvider(String id) {
        return Objects.equals(id, providerId) ? this : copy(id, upstreamAnswer);
    }

    /**
     * @return what the upstream answered, as it was sent, when the failure is an upstream's answer (an error status,
     *         or an error object inside a successful answer or stream); null when there was no answer (connection,
     *         timeout, TLS) or the hub refused the request itself (routing, admission, no key)
     * @since 2.1
     */
    public UpstreamAnswer upstreamAnswer() {
        return upstreamAnswer;
    }

    /**
     * @param answer what the upstream answered, or null
     * @return this exception with the upstream's answer attached (a copy; everything else unchanged)
     * @since 2.1
     */
    public ProviderException withUpstreamAnswer(UpstreamAnswer answer) {
        return answer == upstreamAnswer ? this : copy(providerId, answer);
    }

    private ProviderException copy(String id, UpstreamAnswer answer) {
        ProviderException copy = new ProviderException(problem, getMessage(), hint, httpStatus, upstreamCode, id,
                getCause(), answer);
        copy.setStackTrace(getStackTrace());
        return copy;
    }

    /**
     * Replaces every occurrence of a secret in a text, for text that comes from outside (an upstream error body may
     * echo the key back).
     *
     * @param text   the text, may be null
     * @param secret the secret, may be null or empty
     * @return the text with the secret replaced by {@code [redacted]}
     */
    public static String redact(String text, char[] secret) {
        if (text == null || secret == null || secret.length < 4) {
            return text;
        }
        String s = new String(secret);
        return text.replace(s, "[redacted]");
    }

    /**
     * A chat ended because its provider went away while it ran: its configuration was deleted or disabled, its
     * bundle stopped (stopped, updated or uninstalled), or a service it needs went away. What a {@code ChatService}
     * tells the listener of every chat still running through a provider service that is unregistered, and what a
     * provider bundle tells its own running calls when it withdraws a provider; nothing more comes from that
     * provider for the chat. {@link Problem#NOT_READY}: the hub could not finish it as configured.
     *
     * @param providerId the provider id
     * @param why        what happened, in the user's words: {@code its configuration was deleted}
     * @return the failure, naming the provider and what happened
     * @since 2.4
     */
    public static ProviderException removed(String providerId, String why) {
        return new ProviderException(Problem.NOT_READY, "provider '" + providerId + "' was removed while this chat "
                + "was running (" + why + ")", "The answer stops here. Send the chat again: it goes to the provider "
                        + "that serves the model now, if any (GET /v1/models and moryflow:providers list them).",
                0, null, providerId, null);
    }

    /** @return problem title, message and hint on one line, for logs and consoles */
    public String describe() {
        return problem.title() + ": " + getMessage() + " — " + hint;
    }
}
