package dev.moryflow.provider;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Finds the names closest to a misspelt one, for "did you mean" hints (model ids, provider ids): case-insensitive
 * edit distance, with one name contained in the other, or equal to the part after a {@code provider/} prefix,
 * counted as close.
 */
public final class CloseMatches {

    private CloseMatches() {
    }

    /**
     * @param wanted     what the user typed
     * @param candidates the names that exist
     * @param limit      how many to return at most
     * @return the close candidates, closest first; empty when nothing is reasonably close
     */
    public static List<String> find(String wanted, Collection<String> candidates, int limit) {
        String w = wanted.toLowerCase(Locale.ROOT);
        return candidates.stream()
                .distinct()
                .map(c -> new Scored(c, score(w, c.toLowerCase(Locale.ROOT))))
                .filter(s -> s.score <= Math.max(3, w.length() / 3))
                .sorted(Comparator.comparingInt((Scored s) -> s.score).thenComparing(s -> s.name))
                .limit(limit)
                .map(s -> s.name)
                .collect(Collectors.toList());
    }

    /** Edit distance, with containment (one name inside the other) counted as close. */
    private static int score(String a, String b) {
        if (a.equals(b)) {
            return 0;
        }
        if (b.contains(a) || a.contains(b)) {
            return 1;
        }
        int tail = b.indexOf('/');
        if (tail >= 0 && b.substring(tail + 1).equals(a)) {
            return 1;
        }
        return levenshtein(a, b);
    }

    /**
     * @param a a string
     * @param b another
     * @return their Levenshtein distance
     */
    public static int levenshtein(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static final class Scored {
        final String name;
        final int score;

        Scored(String name, int score) {
            this.name = name;
            this.score = score;
        }
    }
}
