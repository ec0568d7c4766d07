package dev.moryflow.provider;

import java.util.Objects;

/**
 * One named check of a {@link Diagnosis}: what was checked, how it came out, how long it took, what was seen, and,
 * when it did not pass, the cause and the fix in the user's words. Immutable; never holds a key (texts taken from an
 * upstream are shortened and redacted before they get here).
 */
public final class DiagnosisStep {

    /** Step name: the configuration exists, is enabled and was accepted. */
    public static final String CONFIGURATION = "Configuration";
    /** Step name: the Base URL parses, has the right scheme and shape, and the API answers there. */
    public static final String BASE_URL = "Base URL";
    /** Step name: the host resolves, the connection opens, TLS is accepted, the proxy lets it through. */
    public static final String CONNECTION = "Connection";
    /** Step name: the key is present where needed and accepted by the provider. */
    public static final String KEY = "Key";
    /** Step name: the model exists at the provider and is available to this account. */
    public static final String MODEL = "Model";
    /** Step name: the answers are OpenAI-compatible (JSON, {@code choices}, {@code message.content}, SSE). */
    public static final String RESPONSE_FORMAT = "Response format";
    /** Step name: encrypted transport to remote hosts, and the key's age against the rotation warning. */
    public static final String SECURITY = "Security";
    /** Step name: a short chat comes back with text; latency and time to the first streamed chunk. */
    public static final String TEST_MESSAGE = "Test message";

    /** How a step came out. */
    public enum Outcome {
        /** The check passed. */
        PASSED,
        /** The check failed: the provider does not work until the fix is applied. */
        FAILED,
        /** It works, but something should be changed (security, a model list out of date). */
        WARNING,
        /** Not checked, because an earlier step failed or the check does not apply. */
        SKIPPED
    }

    private final String name;
    private final Outcome outcome;
    private final long durationMs;
    private final String detail;
    private final String cause;
    private final String fix;
    private final Problem problem;

    /**
     * @param name       the step name, one of the constants of this class
     * @param outcome    how it came out
     * @param durationMs how long it took in milliseconds (0 when not measured)
     * @param detail     what was checked or seen, for a passed step too; may be null
     * @param cause      why it failed or warns, in plain words; null when passed or skipped
     * @param fix        what the user should do; null when passed or skipped
     * @param problem    the problem category of a failure, or null
     */
    public DiagnosisStep(String name, Outcome outcome, long durationMs, String detail, String cause, String fix,
            Problem problem) {
        this.name = Objects.requireNonNull(name, "name");
        this.outcome = Objects.requireNonNull(outcome, "outcome");
        this.durationMs = Math.max(0, durationMs);
        this.detail = detail;
        this.cause = cause;
        this.fix = fix;
        this.problem = problem;
    }

    /** @return the step name, for example {@value #CONNECTION} */
    public String name() {
        return name;
    }

    /** @return how it came out */
    public Outcome outcome() {
        return outcome;
    }

    /** @return how long it took, in milliseconds */
    public long durationMs() {
        return durationMs;
    }

    /** @return what was checked or seen, or null */
    public String detail() {
        return detail;
    }

    /** @return why it failed or warns, or null */
    public String cause() {
        return cause;
    }

    /** @return what to do about it, or null */
    public String fix() {
        return fix;
    }

    /** @return the problem category of a failure, or null */
    public Problem problem() {
        return problem;
    }

    @Override
    public String toString() {
        return name + " " + outcome + " (" + durationMs + " ms)" + (cause == null ? "" : ": " + cause)
                + (fix == null ? "" : " — " + fix);
    }
}
