package dev.moryflow.shell.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * A plain text table with columns as wide as their widest cell, for console listings; when that is wider than
 * {@link #MAX_WIDTH}, the widest columns of text wrap at spaces onto continuation lines.
 */
final class TextTable {

    /** The widest a table may be: it fits a terminal of 100 columns. */
    static final int MAX_WIDTH = 100;
    private static final int MIN_WRAPPED = 12;

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
        fit(width);
        StringBuilder sb = new StringBuilder();
        String[][] head = new String[headers.length][];
        for (int i = 0; i < headers.length; i++) {
            head[i] = new String[] { headers[i] };
        }
        line(sb, head, width);
        for (String[] r : rows) {
            String[][] wrapped = new String[r.length][];
            for (int i = 0; i < r.length; i++) {
                wrapped[i] = wrap(r[i], width[i]).toArray(new String[0]);
            }
            line(sb, wrapped, width);
        }
        return sb.toString();
    }

    /** Narrows the columns whose text can wrap at spaces until the table fits {@link #MAX_WIDTH}, if it can. */
    private void fit(int[] width) {
        int total = 2 * (width.length - 1);
        for (int w : width) {
            total += w;
        }
        boolean[] fixed = new boolean[width.length];
        while (total > MAX_WIDTH) {
            int widest = -1;
            for (int i = 0; i < width.length; i++) {
                if (!fixed[i] && (widest < 0 || width[i] > width[widest])) {
                    widest = i;
                }
            }
            if (widest < 0) {
                return;
            }
            int narrower = Math.max(Math.max(MIN_WRAPPED, longestWord(widest)), width[widest] - (total - MAX_WIDTH));
            if (narrower >= width[widest]) {
                fixed[widest] = true;
                continue;
            }
            total -= width[widest] - narrower;
            width[widest] = narrower;
        }
    }

    private int longestWord(int column) {
        int longest = headers[column].length();
        for (String[] r : rows) {
            for (String word : r[column].split(" ")) {
                longest = Math.max(longest, word.length());
            }
        }
        return longest;
    }

    /** Word-wraps a cell to the width; a word longer than the width (a URL) stays whole. */
    private static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String word : text.split(" ", -1)) {
            if (current.length() > 0 && current.length() + 1 + word.length() > width) {
                lines.add(current.toString());
                current.setLength(0);
            }
            if (current.length() > 0) {
                current.append(' ');
            }
            current.append(word);
        }
        lines.add(current.toString());
        return lines;
    }

    private static void line(StringBuilder sb, String[][] cells, int[] width) {
        int height = 0;
        for (String[] c : cells) {
            height = Math.max(height, c.length);
        }
        for (int row = 0; row < height; row++) {
            StringBuilder l = new StringBuilder();
            for (int i = 0; i < cells.length; i++) {
                String cell = row < cells[i].length ? cells[i][row] : "";
                l.append(cell);
                if (i < cells.length - 1) {
                    l.append(" ".repeat(Math.max(0, width[i] - cell.length()) + 2));
                }
            }
            sb.append(l.toString().stripTrailing()).append('\n');
        }
    }
}
