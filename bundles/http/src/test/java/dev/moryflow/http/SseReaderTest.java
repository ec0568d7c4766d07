package dev.moryflow.http;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.Test;

import okio.Buffer;
import okio.BufferedSource;
import okio.Okio;
import okio.Source;
import okio.Timeout;

public class SseReaderTest {

    /** A source that hands out one byte per read, as the slowest network would. */
    static BufferedSource oneByteAtATime(String text) {
        Buffer data = new Buffer().writeUtf8(text);
        return Okio.buffer(new Source() {
            @Override
            public long read(Buffer sink, long byteCount) {
                if (data.size() == 0) {
                    return -1;
                }
                sink.write(data, 1);
                return 1;
            }

            @Override
            public Timeout timeout() {
                return Timeout.NONE;
            }

            @Override
            public void close() {
            }
        });
    }

    static BufferedSource whole(String text) {
        return new Buffer().writeUtf8(text);
    }

    static List<String> datas(SseReader r) throws IOException {
        List<String> out = new ArrayList<>();
        SseEvent e;
        while ((e = r.next()) != null) {
            out.add(e.data());
        }
        return out;
    }

    @Test
    public void eventsSplitIntoSingleByteReadsAreReassembled() throws IOException {
        String stream = "data: {\"a\":\"héllo ✓\"}\n\ndata: {\"b\":2}\n\ndata: [DONE]\n\n";
        SseReader r = new SseReader(oneByteAtATime(stream));
        assertEquals(List.of("{\"a\":\"héllo ✓\"}", "{\"b\":2}"), datas(r));
        assertTrue(r.isDone());
        assertFalse(r.endedWithoutDone());
        assertEquals(2, r.events());
    }

    @Test
    public void crlfLineEndingsAreUnderstood() throws IOException {
        SseReader r = new SseReader(oneByteAtATime("data: one\r\n\r\ndata: two\r\n\r\ndata: [DONE]\r\n\r\n"));
        assertEquals(List.of("one", "two"), datas(r));
        assertTrue(r.isDone());
    }

    @Test
    public void commentLinesAreSkippedAndCounted() throws IOException {
        SseReader r = new SseReader(whole(": keep-alive\n\n: OPENROUTER PROCESSING\n\ndata: x\n\n:ping\ndata: [DONE]\n\n"));
        assertEquals(List.of("x"), datas(r));
        assertEquals(3, r.comments());
        assertTrue(r.isDone());
    }

    @Test
    public void multiLineDataIsJoinedWithNewlines() throws IOException {
        SseReader r = new SseReader(whole("data: first\ndata:second\ndata:  third\n\n"));
        assertEquals(List.of("first\nsecond\n third"), datas(r));
    }

    @Test
    public void eventAndIdFieldsAreExposedAndRetryIgnored() throws IOException {
        SseReader r = new SseReader(whole("event: error\nid: 7\nretry: 1000\ndata: {\"e\":1}\n\ndata: plain\n\n"));
        SseEvent first = r.next();
        assertEquals("error", first.event());
        assertEquals("7", first.id());
        assertEquals("{\"e\":1}", first.data());
        SseEvent second = r.next();
        assertNull("event type does not leak into the next event", second.event());
        assertEquals("plain", second.data());
    }

    @Test
    public void manyEmptyLinesBetweenEventsAreHarmless() throws IOException {
        SseReader r = new SseReader(whole("\n\n\ndata: a\n\n\n\n\r\n\ndata: b\n\n\n"));
        assertEquals(List.of("a", "b"), datas(r));
        assertTrue(r.endedWithoutDone());
    }

    @Test
    public void streamEndingWithoutDoneIsToldApart() throws IOException {
        SseReader r = new SseReader(whole("data: a\n\ndata: b\n\n"));
        assertEquals(List.of("a", "b"), datas(r));
        assertFalse(r.isDone());
        assertTrue(r.endedWithoutDone());
        assertNull("stays ended", r.next());
    }

    @Test
    public void lastEventWithoutTrailingBlankLineIsDelivered() throws IOException {
        SseReader r = new SseReader(whole("data: a\n\ndata: tail"));
        assertEquals(List.of("a", "tail"), datas(r));
        assertTrue(r.endedWithoutDone());
    }

    @Test
    public void doneEndsTheStreamWithoutReadingFurther() throws IOException {
        Buffer data = new Buffer().writeUtf8("data: a\n\ndata: [DONE]\n");
        BufferedSource source = Okio.buffer(new Source() {
            @Override
            public long read(Buffer sink, long byteCount) {
                if (data.size() == 0) {
                    throw new AssertionError("read past [DONE]: the reader must stop at once");
                }
                long n = data.size();
                sink.write(data, n);
                return n;
            }

            @Override
            public Timeout timeout() {
                return Timeout.NONE;
            }

            @Override
            public void close() {
            }
        });
        SseReader r = new SseReader(source);
        assertEquals("a", r.next().data());
        assertNull(r.next());
        assertTrue(r.isDone());
    }

    @Test
    public void anEventIsReturnedBeforeLaterBytesArrive() throws IOException {
        // the source fails if asked for more than the first event: the reader must not read ahead to the end
        Buffer first = new Buffer().writeUtf8("data: early\n\n");
        BufferedSource source = Okio.buffer(new Source() {
            @Override
            public long read(Buffer sink, long byteCount) throws IOException {
                if (first.size() == 0) {
                    throw new IOException("the rest has not arrived yet");
                }
                long n = first.size();
                sink.write(first, n);
                return n;
            }

            @Override
            public Timeout timeout() {
                return Timeout.NONE;
            }

            @Override
            public void close() {
            }
        });
        SseReader r = new SseReader(source);
        assertEquals("early", r.next().data());
        try {
            r.next();
            fail("expected the read failure to surface");
        } catch (IOException expected) {
            assertEquals("the rest has not arrived yet", expected.getMessage());
        }
    }

    @Test
    public void nonEventLinesAreSampledForErrorMessages() throws IOException {
        SseReader r = new SseReader(whole("<html><body>Bad Gateway</body></html>\n"));
        assertNull(r.next());
        assertEquals(0, r.events());
        assertTrue(r.endedWithoutDone());
        assertEquals("<html><body>Bad Gateway</body></html>", r.ignoredSample());
    }

    @Test
    public void overlongLineFailsInsteadOfFillingMemory() {
        StringBuilder sb = new StringBuilder("data: ");
        for (int i = 0; i < 100; i++) {
            sb.append("0123456789");
        }
        SseReader r = new SseReader(whole(sb + "\n\n"), 64);
        try {
            r.next();
            fail("expected a line limit failure");
        } catch (IOException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("larger than 64 bytes"));
        }
    }

    /** An endless event: "data: x\n" lines (or one endless line) without the blank line that would end it. */
    private static BufferedSource endless(boolean oneLine) {
        byte[] head = "data: {\"n\":1}\n\n".getBytes(StandardCharsets.UTF_8);
        return Okio.buffer(new Source() {
            private boolean started;

            @Override
            public long read(Buffer sink, long byteCount) {
                if (!started) {
                    started = true;
                    sink.write(head);
                    return head.length;
                }
                String piece = oneLine ? "xxxxxxxxxxxxxxxx" : "data: xxxxxxxxx\n";
                sink.writeUtf8(piece);
                return piece.length();
            }

            @Override
            public Timeout timeout() {
                return Timeout.NONE;
            }

            @Override
            public void close() {
            }
        });
    }

    @Test
    public void anEventOfManyLinesLargerThanTheLimitFailsNamingTheProperty() throws IOException {
        SseReader r = new SseReader(endless(false), 4096);
        assertEquals("{\"n\":1}", r.next().data());
        try {
            r.next();
            fail("an endless event was read");
        } catch (AnswerTooLargeException expected) {
            assertTrue(expected.isEvent());
            assertEquals(4096, expected.limitBytes());
            assertEquals(HttpClients.PROP_MAX_EVENT_MIB, expected.property());
            assertTrue(expected.getMessage(), expected.getMessage().contains("maxEventMiB of moryflow.http"));
        }
    }

    @Test
    public void anEndlessLineFailsAtTheLimitInsteadOfFillingMemory() throws IOException {
        SseReader r = new SseReader(endless(true), 4096);
        assertEquals("{\"n\":1}", r.next().data());
        try {
            r.next();
            fail("an endless line was read");
        } catch (AnswerTooLargeException expected) {
            assertEquals(4096, expected.limitBytes());
        }
    }

    @Test
    public void eventsBelowTheLimitPassHoweverLongTheStream() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            sb.append("data: 0123456789012345678901234567890123456789\n\n");
        }
        SseReader r = new SseReader(whole(sb + "data: [DONE]\n\n"), 64);
        assertEquals(1000, datas(r).size());
        assertTrue(r.isDone());
    }

    @Test
    public void byteOrderMarkAndInputStreamAreAccepted() throws IOException {
        byte[] bytes = "\uFEFFdata: x\n\ndata: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);
        try (SseReader r = new SseReader(new ByteArrayInputStream(bytes))) {
            assertEquals(List.of("x"), datas(r));
            assertTrue(r.isDone());
        }
    }

    @Test
    public void emptyStreamEndsWithoutDone() throws IOException {
        SseReader r = new SseReader(whole(""));
        assertNull(r.next());
        assertTrue(r.endedWithoutDone());
        assertEquals(0, r.events());
    }
}
