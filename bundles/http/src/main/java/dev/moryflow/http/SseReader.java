package dev.moryflow.http;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;

import okio.BufferedSource;
import okio.Okio;

/**
 * Reads a Server-Sent Events stream (as sent by OpenAI-compatible chat streams) one event at a time, as the bytes
 * arrive. Only the current line is held in memory, never the whole stream.
 * <p>
 * What it understands, following the SSE specification where it matters for AI providers:
 * <ul>
 * <li>lines end with LF or CRLF, and may arrive split across any number of network reads;</li>
 * <li>a blank line ends an event; several {@code data:} lines of one event are joined by {@code \n}; one space
 * after the colon is removed;</li>
 * <li>lines starting with {@code :} are comments (keep-alives) and are skipped, as are {@code retry:} and unknown
 * fields; {@code event:} and {@code id:} are exposed on the {@link SseEvent};</li>
 * <li>{@code data: [DONE]} ends the stream at once (the OpenAI convention): {@link #next()} returns null and
 * {@link #isDone()} is true. A stream whose bytes end without it also makes {@link #next()} return null, with
 * {@link #endedWithoutDone()} true, so callers can tell a complete stream from a cut one;</li>
 * <li>an event still open when the bytes end (no final blank line) is delivered.</li>
 * </ul>
 * Not thread-safe: one reader per stream, read by one thread.
 */
public final class SseReader implements Closeable {

    /**
     * Default limit of one event (its data lines together, and so of any one line): 8 MiB. A larger event fails the
     * read with {@link AnswerTooLargeException} instead of exhausting memory.
     */
    public static final long DEFAULT_MAX_LINE_BYTES = HttpClients.DEFAULT_MAX_EVENT_MIB * 1024L * 1024;

    private static final String DONE = "[DONE]";
    private static final int SAMPLE_CHARS = 200;

    private final BufferedSource source;
    private final long maxLineBytes;
    private boolean firstLine = true;
    private boolean done;
    private boolean ended;
    private int events;
    private int comments;
    private StringBuilder ignored;

    /**
     * @param source the stream, typically {@code response.body().source()}
     */
    public SseReader(BufferedSource source) {
        this(source, DEFAULT_MAX_LINE_BYTES);
    }

    /**
     * @param source       the stream
     * @param maxLineBytes the largest event accepted, in bytes: the data of its lines together, and any single line
     *                     (a comment or another field too); {@link HttpClients#maxEventBytes()} for the configured one
     */
    public SseReader(BufferedSource source, long maxLineBytes) {
        if (source == null) {
            throw new IllegalArgumentException("source must not be null");
        }
        if (maxLineBytes < 16) {
            throw new IllegalArgumentException("maxLineBytes must be at least 16, was " + maxLineBytes);
        }
        this.source = source;
        this.maxLineBytes = maxLineBytes;
    }

    /**
     * @param in the stream; closed by {@link #close()}
     */
    public SseReader(InputStream in) {
        this(Okio.buffer(Okio.source(in)));
    }

    /**
     * Reads up to the end of the next event that carries data and returns it. Blocks until that event is complete,
     * the stream ends or a read fails.
     *
     * @return the next event, or null at the end: after {@code data: [DONE]} ({@link #isDone()}) or when the bytes
     *         ended ({@link #endedWithoutDone()})
     * @throws IOException when reading fails; {@link AnswerTooLargeException} when an event or a line exceeds the
     *                     limit
     */
    public SseEvent next() throws IOException {
        if (done || ended) {
            return null;
        }
        StringBuilder data = null;
        long eventBytes = 0;
        String event = null;
        String id = null;
        while (true) {
            String line = readLine();
            if (line == null) {
                ended = true;
                return data == null ? null : dispatch(event, data, id);
            }
            if (line.isEmpty()) {
                if (data != null) {
                    return dispatch(event, data, id);
                }
                event = null;
                continue;
            }
            if (line.charAt(0) == ':') {
                comments++;
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(value0(line, colon));
            switch (field) {
                case "data":
                    if (data == null) {
                        if (DONE.equals(value.trim())) {
                            done = true;
                            return null;
                        }
                        data = new StringBuilder(value);
                    } else {
                        data.append('\n').append(value);
                    }
                    eventBytes += line.length() + 1;
                    if (eventBytes > maxLineBytes) {
                        throw tooLarge();
                    }
                    break;
                case "event":
                    event = value;
                    break;
                case "id":
                    id = value.indexOf('\0') >= 0 ? id : value;
                    break;
                case "retry":
                    break;
                default:
                    sample(line);
                    break;
            }
        }
    }

    private static int value0(String line, int colon) {
        return colon + 1 < line.length() && line.charAt(colon + 1) == ' ' ? colon + 2 : colon + 1;
    }

    private SseEvent dispatch(String event, StringBuilder data, String id) {
        String d = data.toString();
        if (DONE.equals(d.trim())) {
            done = true;
            return null;
        }
        events++;
        return new SseEvent(event, d, id);
    }

    private String readLine() throws IOException {
        long newline = source.indexOf((byte) '\n', 0, maxLineBytes);
        String line;
        if (newline < 0) {
            long buffered = source.getBuffer().size();
            if (buffered >= maxLineBytes) {
                throw tooLarge();
            }
            if (buffered == 0) {
                return null;
            }
            line = source.readUtf8();
        } else {
            line = source.readUtf8(newline);
            source.skip(1);
        }
        int len = line.length();
        if (len > 0 && line.charAt(len - 1) == '\r') {
            line = line.substring(0, len - 1);
        }
        if (firstLine) {
            firstLine = false;
            if (!line.isEmpty() && line.charAt(0) == '\uFEFF') {
                line = line.substring(1);
            }
        }
        return line;
    }

    private AnswerTooLargeException tooLarge() {
        return new AnswerTooLargeException(maxLineBytes, HttpClients.PROP_MAX_EVENT_MIB, true);
    }

    private void sample(String line) {
        if (ignored == null) {
            ignored = new StringBuilder();
        }
        if (ignored.length() < SAMPLE_CHARS) {
            if (ignored.length() > 0) {
                ignored.append(' ');
            }
            ignored.append(line, 0, Math.min(line.length(), SAMPLE_CHARS - ignored.length()));
        }
    }

    /** @return whether {@code data: [DONE]} was read */
    public boolean isDone() {
        return done;
    }

    /** @return whether the bytes ended without {@code data: [DONE]} */
    public boolean endedWithoutDone() {
        return ended && !done;
    }

    /** @return how many events with data were returned so far ({@code [DONE]} not counted) */
    public int events() {
        return events;
    }

    /** @return how many comment (keep-alive) lines were skipped so far */
    public int comments() {
        return comments;
    }

    /**
     * @return the start (up to 200 characters) of the lines that were neither data, fields nor comments, such as an
     *         HTML page or a JSON error sent instead of an event stream; empty when there were none. The caller must
     *         redact secrets before showing it.
     */
    public String ignoredSample() {
        return ignored == null ? "" : ignored.toString();
    }

    /** Closes the underlying source. */
    @Override
    public void close() throws IOException {
        source.close();
    }
}
