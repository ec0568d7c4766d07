package dev.moryflow.itests;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Tiny JSON look-ups for assertions on request bodies (no parser needed for flat string fields). */
final class Json {

    private Json() {
    }

    /** @return the first string value of a field anywhere in the document, or null */
    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
        return m.find() ? m.group(1) : null;
    }
}
