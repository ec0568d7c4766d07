package dev.moryflow.provider.openai.internal;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

public class StreamAssemblerTest {

    private static Piece text(String content) {
        Piece p = new Piece();
        p.content = content;
        return p;
    }

    @Test
    public void aLongStreamKeepsOnlyItsBudgetOfTextAndCountsTheRest() {
        StreamAssembler a = new StreamAssembler(10);
        a.add(text("12345678"));
        a.add(text("abcdef"));
        a.add(text("more"));
        assertEquals("12345678ab", a.response("p", "m").content());
        assertEquals(8, a.dropped());
    }

    @Test
    public void aStreamKeepsAMebicharacterAndAWholeAnswerEverything() {
        String big = "x".repeat(StreamAssembler.KEPT_CHARS + 5);
        StreamAssembler streamed = new StreamAssembler();
        streamed.add(text(big));
        assertEquals(StreamAssembler.KEPT_CHARS, streamed.response("p", "m").content().length());
        StreamAssembler whole = new StreamAssembler(Integer.MAX_VALUE);
        whole.add(text(big));
        assertEquals(big.length(), whole.response("p", "m").content().length());
        assertEquals(0, whole.dropped());
    }
}
