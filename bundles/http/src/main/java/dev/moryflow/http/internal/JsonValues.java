package dev.moryflow.http.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/** Reads JSON into plain Java values (Map, List, String, Number, Boolean, null) with jackson-core alone. */
public final class JsonValues {

    private final JsonFactory factory;

    /** @param factory the (shared, thread-safe) factory */
    public JsonValues(JsonFactory factory) {
        this.factory = factory;
    }

    /**
     * @param json a JSON text
     * @return its value
     * @throws IOException when it is not JSON
     */
    public Object parse(String json) throws IOException {
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
}
