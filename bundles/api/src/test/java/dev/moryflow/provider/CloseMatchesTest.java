package dev.moryflow.provider;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.junit.Test;

public class CloseMatchesTest {

    private static final List<String> IDS = List.of("llama-3.1-70b-versatile", "mixtral-8x7b-32768", "groq/gemma2-9b-it");

    @Test
    public void aTypoFindsTheModel() {
        assertEquals("llama-3.1-70b-versatile", CloseMatches.find("llama-3.1-70b-versatle", IDS, 3).get(0));
    }

    @Test
    public void aPrefixOrOtherCaseFindsTheModel() {
        assertEquals("mixtral-8x7b-32768", CloseMatches.find("Mixtral-8x7b", IDS, 3).get(0));
        assertEquals("groq/gemma2-9b-it", CloseMatches.find("gemma2-9b-it", IDS, 3).get(0));
    }

    @Test
    public void somethingElseEntirelyFindsNothing() {
        assertTrue(CloseMatches.find("completely-different-name-xyz", IDS, 3).isEmpty());
    }

    @Test
    public void distanceIsLevenshtein() {
        assertEquals(3, CloseMatches.levenshtein("kitten", "sitting"));
    }
}
