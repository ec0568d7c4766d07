package dev.moryflow.doctor.internal;

import dev.moryflow.http.Problems;

/** Text shown in a report: one line, shortened, with anything that looks like a secret removed. */
final class Texts {

    private Texts() {
    }

    /**
     * @param text any text from configuration or an upstream, may be null
     * @param max  the most characters to keep
     * @return the text redacted and on one line
     */
    static String shown(String text, int max) {
        return Problems.oneLine(Problems.redact(text, null), max);
    }
}
