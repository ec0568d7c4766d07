package dev.moryflow.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;

/**
 * Exact edits of a JSON object's bytes, for passing OpenAI wire-format bodies through: the byte ranges of
 * top-level values are found with Jackson's streaming parser (token byte offsets) and only those ranges are
 * replaced. Nothing is re-serialized, so numbers, field order, spacing, escapes and unknown fields stay exactly as
 * they were written. Only the top level is touched: a {@code "model"} nested in messages, tools or metadata stays.
 * Stateless and thread-safe.
 */
public final class JsonSplice {

    private static final JsonFactory FACTORY = JsonFactory.builder()
            // an answer is bounded as a whole (maxAnswerMiB of moryflow.http) and each event (maxEventMiB): one long
            // string in it, such as a big base64 image, is no reason to refuse it (Jackson's default is 20 M chars)
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
            .build();
    private static final byte[] INCLUDE_USAGE = "\"include_usage\":true".getBytes(StandardCharsets.US_ASCII);

    private JsonSplice() {
    }

    /**
     * Sets a top-level string field that is already there.
     *
     * @param json  a JSON object, UTF-8
     * @param field the top-level field name, for example {@code model}
     * @param value the new value, written as a JSON string
     * @return the bytes with the value of every top-level {@code field} replaced by {@code value}; {@code json}
     *         itself when the object has no such field
     * @throws IOException when {@code json} is not a JSON object
     */
    public static byte[] replaceTopLevelString(byte[] json, String field, String value) throws IOException {
        List<long[]> ranges = new ArrayList<>();
        try (JsonParser p = FACTORY.createParser(json)) {
            start(p);
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                long from = p.currentTokenLocation().getByteOffset();
                skipValue(p);
                if (name.equals(field)) {
                    ranges.add(new long[] {from, p.currentLocation().getByteOffset()});
                }
            }
            end(p, t);
        }
        if (ranges.isEmpty()) {
            return json;
        }
        byte[] encoded = quoted(value);
        ByteArrayOutputStream out = new ByteArrayOutputStream(json.length + encoded.length);
        int at = 0;
        for (long[] r : ranges) {
            out.write(json, at, (int) r[0] - at);
            out.write(encoded, 0, encoded.length);
            at = (int) r[1];
        }
        out.write(json, at, json.length - at);
        return out.toByteArray();
    }

    /**
     * Makes a streamed chat request ask for usage: {@code stream_options.include_usage: true}, added with the
     * smallest exact edit (a missing {@code stream_options} is inserted before the object's closing brace; a missing
     * {@code include_usage} is inserted first in {@code stream_options}; another value is replaced by {@code true}).
     *
     * @param json a JSON object, UTF-8
     * @return the edited bytes, or null when the request already asks for usage (nothing to change)
     * @throws IOException when {@code json} is not a JSON object
     */
    public static byte[] includeUsage(byte[] json) throws IOException {
        long insertAt = -1;
        byte[] insert = null;
        long replaceFrom = -1;
        long replaceTo = -1;
        boolean hasFields = false;
        try (JsonParser p = FACTORY.createParser(json)) {
            start(p);
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                hasFields = true;
                String name = p.currentName();
                JsonToken v = p.nextToken();
                long from = p.currentTokenLocation().getByteOffset();
                if (!name.equals("stream_options") || insert != null || replaceFrom >= 0) {
                    skipValue(p);
                    continue;
                }
                if (v != JsonToken.START_OBJECT) {
                    skipValue(p);
                    replaceFrom = from;
                    replaceTo = p.currentLocation().getByteOffset();
                    insert = ("{" + new String(INCLUDE_USAGE, StandardCharsets.US_ASCII) + "}")
                            .getBytes(StandardCharsets.US_ASCII);
                    continue;
                }
                boolean optionFields = false;
                boolean done = false;
                JsonToken o;
                while ((o = p.nextToken()) == JsonToken.FIELD_NAME) {
                    optionFields = true;
                    String option = p.currentName();
                    JsonToken ov = p.nextToken();
                    long valueFrom = p.currentTokenLocation().getByteOffset();
                    skipValue(p);
                    if (option.equals("include_usage") && !done) {
                        done = true;
                        if (ov == JsonToken.VALUE_TRUE) {
                            return null;
                        }
                        replaceFrom = valueFrom;
                        replaceTo = p.currentLocation().getByteOffset();
                        insert = "true".getBytes(StandardCharsets.US_ASCII);
                    }
                }
                end(p, o);
                if (!done) {
                    insertAt = from + 1;
                    insert = optionFields ? concat(INCLUDE_USAGE, new byte[] {','}) : INCLUDE_USAGE;
                }
            }
            end(p, t);
            if (insert == null) {
                insertAt = p.currentTokenLocation().getByteOffset();
                String s = (hasFields ? "," : "") + "\"stream_options\":{"
                        + new String(INCLUDE_USAGE, StandardCharsets.US_ASCII) + "}";
                insert = s.getBytes(StandardCharsets.US_ASCII);
            }
        }
        int from = (int) (replaceFrom >= 0 ? replaceFrom : insertAt);
        int to = (int) (replaceFrom >= 0 ? replaceTo : insertAt);
        ByteArrayOutputStream out = new ByteArrayOutputStream(json.length + insert.length);
        out.write(json, 0, from);
        out.write(insert, 0, insert.length);
        out.write(json, to, json.length - to);
        return out.toByteArray();
    }

    private static void start(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new IOException("not a JSON object");
        }
    }

    private static void end(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.END_OBJECT) {
            throw new IOException("unterminated JSON object");
        }
    }

    /** Reads the current value to its end, so that the parser's current location is just after it. */
    private static void skipValue(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
            p.skipChildren();
        } else {
            p.finishToken();
        }
    }

    private static byte[] quoted(String value) {
        byte[] inner = JsonStringEncoder.getInstance().quoteAsUTF8(value);
        byte[] out = new byte[inner.length + 2];
        out[0] = '"';
        System.arraycopy(inner, 0, out, 1, inner.length);
        out[out.length - 1] = '"';
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
