package dev.moryflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.osgi.framework.ServiceReference;

import dev.moryflow.http.HttpClients;
import dev.moryflow.provider.Diagnosis;
import dev.moryflow.provider.DiagnosisStep;
import dev.moryflow.provider.ProviderDoctor;

/** What the doctor ITs share: running a diagnosis and asserting on one step's outcome, cause and fix. */
public abstract class DoctorTestSupport extends HubTestSupport {

    protected Diagnosis diagnose(String providerId, String model) throws Exception {
        ProviderDoctor doctor = context.getService(awaitService(ProviderDoctor.class, ""));
        return doctor.diagnose(providerId, model);
    }

    /**
     * The current shared HTTP client service, looked up anew: a change of {@code moryflow.http} may replace the
     * component instance.
     */
    protected HttpClients currentHttp() throws Exception {
        awaitService(HttpClients.class, "");
        ServiceReference<HttpClients> ref = context.getServiceReference(HttpClients.class);
        return ref == null ? null : context.getService(ref);
    }

    /**
     * Asserts that the step ran with that outcome, and that its cause and fix contain the given texts (null: not
     * checked).
     */
    protected static DiagnosisStep assertStep(Diagnosis d, String name, DiagnosisStep.Outcome outcome, String cause,
            String fix) {
        DiagnosisStep s = d.step(name).orElseThrow(() -> new AssertionError("no step " + name + " in " + d.steps()));
        assertEquals(d.steps().toString(), outcome, s.outcome());
        if (cause != null) {
            assertTrue("cause of " + name + ": " + s.cause(), s.cause() != null && s.cause().contains(cause));
        }
        if (fix != null) {
            assertTrue("fix of " + name + ": " + s.fix(), s.fix() != null && s.fix().contains(fix));
        }
        return s;
    }
}
