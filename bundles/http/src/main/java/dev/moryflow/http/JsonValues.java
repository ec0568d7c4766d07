package dev.moryflow.http;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/**
 * Plain JSON values (Map, List, String, Number, Boolean, null) in and out with jackson-core alone, for protocol
 * bundles that pass through the parts of an upstream's JSON they do not model (tool calls, error objects, extra
 * request parameters).
 */
public final class JsonValues {

    private JsonValues() {
    }

    /**
     * @param factory the (shared, thread-safe) factory
     * @param json    a JSON text
     * @return its value
     * @throws IOException when it is not JSON
     */
    public static Object parse(JsonFactory factory, String json) throws IOException {
        try (JsonParser p = factory.createParser(json)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new IOException("empty");
            }
            Object value = read(p, t);
            if (p.nextToken() != null) {
                throw new IOException("text after the JSON value");
            }
            return value;
        }
    }

    /**
     * Reads the value whose first token is {@code t} (the parser stands on it).
     *
     * @param p the parser
     * @param t the current token
     * @return the value
     * @throws IOException when the JSON is broken
     */
    public static Object read(JsonParser p, JsonToken t) throws IOException {
        if (t == null) {
            throw new IOException("unexpected end of JSON");
        }
        switch (t) {
            case START_OBJECT: {
                Map<String, Object> map = new LinkedHashMap<>();
                JsonToken n;
                while ((n = p.nextToken()) == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    map.put(name, read(p, p.nextToken()));
                }
                if (n != JsonToken.END_OBJECT) {
                    throw new IOException("unterminated object");
                }
                return map;
            }
            case START_ARRAY: {
                List<Object> list = new ArrayList<>();
                JsonToken n;
                while ((n = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (n == null) {
                        throw new IOException("unterminated array");
                    }
                    list.add(read(p, n));
                }
                return list;
            }
            case VALUE_STRING:
                return p.getText();
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return p.getNumberValue();
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            default:
                throw new IOException("unexpected " + t);
        }
    }

    /**
     * Writes a JSON-like value as it is. Types outside JSON are written as their string form.
     *
     * @param g the generator
     * @param v the value
     * @throws IOException when writing fails
     */
    public static void write(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof String) {
            g.writeString((String) v);
        } else if (v instanceof Boolean) {
            g.writeBoolean((Boolean) v);
        } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            g.writeNumber(((Number) v).longValue());
        } else if (v instanceof Double || v instanceof Float) {
            g.writeNumber(((Number) v).doubleValue());
        } else if (v instanceof BigDecimal) {
            g.writeNumber((BigDecimal) v);
        } else if (v instanceof BigInteger) {
            g.writeNumber((BigInteger) v);
        } else if (v instanceof Map) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof Collection) {
            g.writeStartArray();
            for (Object o : (Collection<?>) v) {
                write(g, o);
            }
            g.writeEndArray();
        } else if (v instanceof Object[]) {
            g.writeStartArray();
            for (Object o : (Object[]) v) {
                write(g, o);
            }
            g.writeEndArray();
        } else if (v instanceof Number) {
            g.writeNumber(v.toString());
        } else {
            g.writeString(v.toString());
        }
    }
}
