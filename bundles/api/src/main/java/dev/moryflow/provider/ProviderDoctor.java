package dev.moryflow.provider;

import org.osgi.annotation.versioning.ProviderType;

/**
 * "Test it" and troubleshooting: runs a named sequence of checks against one provider and tells, for each, whether
 * it passed and, when not, the cause and the fix in the user's words. Implemented by the doctor bundle; used by the
 * shell ({@code moryflow:test}, {@code moryflow:doctor}), the HTTP API and the web console.
 * <p>
 * The steps, in order ({@link DiagnosisStep} names): {@value DiagnosisStep#CONFIGURATION} (only when the provider
 * is missing, disabled or its configuration was refused), {@value DiagnosisStep#BASE_URL},
 * {@value DiagnosisStep#CONNECTION}, {@value DiagnosisStep#KEY}, {@value DiagnosisStep#MODEL},
 * {@value DiagnosisStep#RESPONSE_FORMAT}, {@value DiagnosisStep#TEST_MESSAGE}, {@value DiagnosisStep#SECURITY}. A
 * step that cannot run because an earlier one failed is {@link DiagnosisStep.Outcome#SKIPPED}.
 * <p>
 * Probes that need the key go through the provider's own {@link ProviderService}; the doctor never reads a key.
 * Every finished diagnosis is posted as {@code moryflow/provider/TESTED} with {@code provider.id}, {@code model}
 * (when one was tested), {@code ok}, {@code problem} (when not ok) and {@code duration.ms}.
 * <p>
 * A diagnosis sends real requests (a model list, a short whole chat and a short streamed chat) and blocks until they
 * finish or time out: call it from a command or request thread, never from an event handler or a DS callback.
 */
@ProviderType
public interface ProviderDoctor {

    /**
     * Diagnoses a provider.
     *
     * @param providerId the provider id, for example {@code groq}
     * @param model      the provider's own model id to test, or null for the first configured model (else the
     *                   first the provider lists)
     * @return the report; never null, also for an unknown provider (a failed {@value DiagnosisStep#CONFIGURATION}
     *         step that says how to add it)
     */
    Diagnosis diagnose(String providerId, String model);
}
