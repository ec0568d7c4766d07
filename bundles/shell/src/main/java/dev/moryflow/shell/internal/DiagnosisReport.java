package dev.moryflow.shell.internal;

import dev.moryflow.provider.Diagnosis;
import dev.moryflow.provider.DiagnosisStep;

/**
 * Prints a {@link Diagnosis} as a user reads it: one line per step with ✓ (passed), ✗ (failed), ! (warning) or -
 * (skipped), its timing and what was seen, then the cause and the fix under each failed or warned step.
 */
final class DiagnosisReport {

    private DiagnosisReport() {
    }

    /**
     * @param d       the diagnosis
     * @param details whether to print what was seen for passed steps too
     * @return the report, several lines
     */
    static String format(Diagnosis d, boolean details) {
        StringBuilder sb = new StringBuilder();
        sb.append("Provider ").append(d.providerId());
        if (d.model() != null) {
            sb.append(", model ").append(d.model());
        }
        sb.append('\n');
        int width = 0;
        for (DiagnosisStep s : d.steps()) {
            width = Math.max(width, s.name().length());
        }
        for (DiagnosisStep s : d.steps()) {
            sb.append("  ").append(symbol(s.outcome())).append(' ').append(pad(s.name(), width));
            String time = s.outcome() == DiagnosisStep.Outcome.SKIPPED || s.durationMs() == 0 ? ""
                    : s.durationMs() + " ms";
            sb.append(' ').append(padLeft(time, 8));
            if (s.outcome() == DiagnosisStep.Outcome.SKIPPED) {
                sb.append("  skipped");
            } else if (s.detail() != null && (details || DiagnosisStep.TEST_MESSAGE.equals(s.name()))) {
                sb.append("  ").append(s.detail());
            }
            trimEnd(sb);
            sb.append('\n');
            String indent = "      ";
            if (s.cause() != null) {
                sb.append(indent).append("cause: ").append(s.cause()).append('\n');
            }
            if (s.fix() != null) {
                sb.append(indent).append("fix:   ").append(s.fix()).append('\n');
            }
        }
        sb.append(d.ok() ? "OK" : "FAILED").append(" in ").append(d.durationMs()).append(" ms");
        d.firstFailure().ifPresent(f -> sb.append(": ").append(f.name()).append(" — ").append(f.cause()));
        sb.append('\n');
        return sb.toString();
    }

    private static void trimEnd(StringBuilder sb) {
        while (sb.length() > 0 && sb.charAt(sb.length() - 1) == ' ') {
            sb.setLength(sb.length() - 1);
        }
    }

    private static String symbol(DiagnosisStep.Outcome o) {
        switch (o) {
            case PASSED:
                return "✓";
            case FAILED:
                return "✗";
            case WARNING:
                return "!";
            default:
                return "-";
        }
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    private static String padLeft(String s, int width) {
        return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
    }
}
