package dev.moryflow.shell.internal;

import static org.junit.Assert.assertTrue;

import java.util.List;

import org.junit.Test;

import dev.moryflow.provider.Diagnosis;
import dev.moryflow.provider.DiagnosisStep;
import dev.moryflow.provider.DiagnosisStep.Outcome;
import dev.moryflow.provider.Problem;

public class DiagnosisReportTest {

    @Test
    public void printsSymbolsTimingCauseAndFix() {
        Diagnosis d = new Diagnosis("lmstudio", "qwen", List.of(
                new DiagnosisStep(DiagnosisStep.BASE_URL, Outcome.PASSED, 0, "well formed", null, null, null),
                new DiagnosisStep(DiagnosisStep.CONNECTION, Outcome.FAILED, 3, null,
                        "connection refused by localhost:1234", "Is LM Studio's server started on port 1234?",
                        Problem.CONNECTION_FAILED),
                new DiagnosisStep(DiagnosisStep.KEY, Outcome.SKIPPED, 0, "not checked", null, null, null),
                new DiagnosisStep(DiagnosisStep.SECURITY, Outcome.WARNING, 0, null, "plain HTTP", "use https", null)),
                5);
        String out = DiagnosisReport.format(d, false);
        assertTrue(out, out.contains("✓ Base URL"));
        assertTrue(out, out.contains("✗ Connection     3 ms"));
        assertTrue(out, out.contains("cause: connection refused by localhost:1234"));
        assertTrue(out, out.contains("fix:   Is LM Studio's server started on port 1234?"));
        assertTrue(out, out.contains("- Key"));
        assertTrue(out, out.contains("! Security"));
        assertTrue(out, out.contains("FAILED in 5 ms: Connection — connection refused by localhost:1234"));
        assertTrue(out, !out.contains("well formed"));
        assertTrue(DiagnosisReport.format(d, true).contains("well formed"));
    }
}
