package dev.moryflow.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

public class TextTableTest {

    @Test
    public void aNarrowTableIsLeftAsItIs() {
        assertEquals("A   B\nxy  z\n", new TextTable("A", "B").row("xy", "z").toString());
    }

    @Test
    public void aWideTableWrapsItsWidestTextColumnToFitOneHundredColumns() {
        String status = "needs key: export DEEPSEEK_API_KEY before start, or moryflow:key-set deepseek, or store it "
                + "in the Web Console's Model Management page";
        String s = new TextTable("PRESET", "NAME", "BASE URL", "STATUS", "MODELS")
                .row("deepseek", "DeepSeek", "https://api.deepseek.com/v1", status, 2).toString();
        for (String line : s.split("\n")) {
            assertTrue(line.length() + ": " + line, line.length() <= TextTable.MAX_WIDTH);
        }
        assertTrue(s, s.contains("https://api.deepseek.com/v1"));
        assertEquals("every word of the status is kept", status, String.join(" ", s.lines().skip(1)
                .map(l -> l.length() > 49 ? l.substring(49).trim() : "").filter(t -> !t.isEmpty())
                .map(t -> t.replaceAll("\\s+2$", "")).toArray(String[]::new)).replaceAll("\\s+", " "));
    }

    @Test
    public void aWordLongerThanItsColumnIsNeverCut() {
        String url = "https://" + "x".repeat(120) + ".example/v1";
        String s = new TextTable("ID", "BASE URL").row("p", url).toString();
        assertTrue(s, s.contains(url));
    }
}
