package dev.moryflow.shell.internal;

import java.util.ArrayList;
import java.util.List;

/** A plain text table with columns as wide as their widest cell, for console listings. */
final class TextTable {

    private final String[] headers;
    private final List<String[]> rows = new ArrayList<>();

    TextTable(String... headers) {
        this.headers = headers;
    }

    TextTable row(Object... cells) {
        String[] r = new String[headers.length];
        for (int i = 0; i < r.length; i++) {
            Object c = i < cells.length ? cells[i] : null;
            r[i] = c == null ? "" : c.toString();
        }
        rows.add(r);
        return this;
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    @Override
    public String toString() {
        int[] width = new int[headers.length];
        for (int i = 0; i < headers.length; i++) {
            width[i] = headers[i].length();
            for (String[] r : rows) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        line(sb, headers, width);
        for (String[] r : rows) {
            line(sb, r, width);
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, String[] cells, int[] width) {
        StringBuilder l = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            l.append(cells[i]);
            if (i < cells.length - 1) {
                l.append(" ".repeat(width[i] - cells[i].length() + 2));
            }
        }
        sb.append(l.toString().stripTrailing()).append('\n');
    }
}
