package dev.moryflow.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Lenient reading of a form's or a configuration's values: text, or an array or collection of texts.
 *
 * @since 1.1
 */
public final class Values {

    private Values() {
    }

    /** @return the value (the first item of an array or collection) as trimmed text, or null when empty */
    public static String text(Object v) {
        if (v instanceof Object[] a) {
            v = a.length == 0 ? null : a[0];
        } else if (v instanceof Collection<?> c) {
            v = c.isEmpty() ? null : c.iterator().next();
        }
        if (v == null) {
            return null;
        }
        String s = String.valueOf(v).trim();
        return s.isEmpty() ? null : s;
    }

    /** @return every item of the value, each split at the separator pattern, trimmed, empty ones left out */
    public static List<String> list(Object v, String separator) {
        List<Object> items = new ArrayList<>();
        if (v instanceof Object[] a) {
            Collections.addAll(items, a);
        } else if (v instanceof Collection<?> c) {
            items.addAll(c);
        } else if (v != null) {
            items.add(v);
        }
        List<String> out = new ArrayList<>();
        Pattern split = Pattern.compile(separator);
        for (Object o : items) {
            if (o != null) {
                for (String part : split.split(String.valueOf(o))) {
                    if (!part.isBlank()) {
                        out.add(part.trim());
                    }
                }
            }
        }
        return out;
    }

    /** @return the text on one line, cut to {@code max} characters with … */
    public static String oneLine(String s, int max) {
        String t = s.replaceAll("\\s+", " ");
        return t.length() > max ? t.substring(0, max) + "…" : t;
    }
}
