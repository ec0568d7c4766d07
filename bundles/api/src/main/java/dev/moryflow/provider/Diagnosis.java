package dev.moryflow.provider;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The report of a {@link ProviderDoctor}: the provider (and model) diagnosed, its steps in the order they ran, and
 * whether it works. Immutable; never holds a key.
 */
public final class Diagnosis {

    private final String providerId;
    private final String model;
    private final List<DiagnosisStep> steps;
    private final long durationMs;

    /**
     * @param providerId the provider id as asked for
     * @param model      the model tested, or null when none could be chosen
     * @param steps      the steps in order
     * @param durationMs how long the whole diagnosis took, in milliseconds
     */
    public Diagnosis(String providerId, String model, List<DiagnosisStep> steps, long durationMs) {
        this.providerId = Objects.requireNonNull(providerId, "providerId");
        this.model = model;
        this.steps = List.copyOf(steps);
        this.durationMs = Math.max(0, durationMs);
    }

    /** @return the provider id */
    public String providerId() {
        return providerId;
    }

    /** @return the model tested, or null */
    public String model() {
        return model;
    }

    /** @return the steps, in the order they ran */
    public List<DiagnosisStep> steps() {
        return steps;
    }

    /** @return how long the diagnosis took, in milliseconds */
    public long durationMs() {
        return durationMs;
    }

    /** @return whether no step failed (warnings allowed) */
    public boolean ok() {
        return firstFailure().isEmpty();
    }

    /** @return the first failed step, which names the cause to fix first */
    public Optional<DiagnosisStep> firstFailure() {
        return steps.stream().filter(s -> s.outcome() == DiagnosisStep.Outcome.FAILED).findFirst();
    }

    /**
     * @param name a step name, see the constants of {@link DiagnosisStep}
     * @return the step of that name, if it ran
     */
    public Optional<DiagnosisStep> step(String name) {
        return steps.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** @return the problem of the first failed step, or null when ok or when the failure has no category */
    public Problem problem() {
        return firstFailure().map(DiagnosisStep::problem).orElse(null);
    }

    @Override
    public String toString() {
        return "Diagnosis[" + providerId + (model == null ? "" : "/" + model) + ", " + (ok() ? "ok" : "failed")
                + ", " + steps.size() + " steps]";
    }
}
