package dev.moryflow.http.internal;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonFactory;

import dev.moryflow.http.JsonValues;

/**
 * What an upstream error answer says, read from the shapes seen in the wild: OpenAI's
 * {@code {"error":{"message","type","code","param"}}}, {@code {"error":"text"}}, {@code {"message":...}},
 * FastAPI's {@code {"detail":...}}, a JSON array of those, and non-JSON bodies (an HTML page's title, or the text).
 * Values are raw: the caller redacts and shortens them.
 */
public final class UpstreamError {

    private static final JsonFactory JSON = new JsonFactory();
    private static final Pattern TITLE = Pattern.compile("<title[^>]*>(.*?)</title>",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern TAG = Pattern.compile("<[^>]*>");

    private final String message;
    private final String type;
    private final String code;
    private final String param;
    private final int status;
    private final boolean json;

    /**
     * @param message the upstream's message, or null
     * @param type    its error type, or null
     * @param code    its error code, or null
     * @param param   the parameter it names, or null
     * @param status  an HTTP status the body itself names ({@code error.code} 429, {@code status}), else 0
     * @param json    whether the body was JSON
     */
    public UpstreamError(String message, String type, String code, String param, int status, boolean json) {
        this.message = blankToNull(message);
        this.type = blankToNull(type);
        this.code = blankToNull(code);
        this.param = blankToNull(param);
        this.status = status;
        this.json = json;
    }

    /**
     * @param body the body, may be null or empty
     * @return what it says; all fields null for an empty body
     */
    public static UpstreamError parse(String body) {
        if (body == null || body.isBlank()) {
            return new UpstreamError(null, null, null, null, 0, false);
        }
        String trimmed = body.trim();
        char first = trimmed.charAt(0);
        if (first == '{' || first == '[') {
            try {
                return fromValue(JsonValues.parse(JSON, trimmed));
            } catch (java.io.IOException | RuntimeException e) {
                // not JSON after all: fall through to text
            }
        }
        return new UpstreamError(text(trimmed), null, null, null, 0, false);
    }

    /**
     * @param value a parsed JSON value: the whole body, or the value of an {@code error} field
     * @return what it says
     */
    public static UpstreamError fromValue(Object value) {
        if (value instanceof List) {
            List<?> list = (List<?>) value;
            return list.isEmpty() ? new UpstreamError(null, null, null, null, 0, true) : fromValue(list.get(0));
        }
        if (!(value instanceof Map)) {
            return new UpstreamError(value == null ? null : String.valueOf(value), null, null, null, 0, true);
        }
        Map<?, ?> map = (Map<?, ?>) value;
        Object error = map.get("error");
        if (error instanceof Map) {
            Map<?, ?> e = (Map<?, ?>) error;
            Object code = e.get("code");
            int status = code instanceof Number ? ((Number) code).intValue() : intOf(e.get("status"));
            String message = str(e.get("message"));
            if (message == null) {
                message = str(e.get("msg"));
            }
            return new UpstreamError(message, str(e.get("type")), code instanceof Number ? null : str(code),
                    str(e.get("param")), status != 0 ? status : intOf(map.get("status")), true);
        }
        if (error instanceof String || error instanceof List) {
            String message = error instanceof String ? (String) error : detail(error);
            return new UpstreamError(message, str(map.get("type")), codeOf(map), str(map.get("param")),
                    intOf(map.get("status")), true);
        }
        if (map.containsKey("message") || map.containsKey("detail")) {
            Object m = map.containsKey("message") ? map.get("message") : map.get("detail");
            return new UpstreamError(detail(m), str(map.get("type")), codeOf(map), str(map.get("param")),
                    intOf(map.get("status")), true);
        }
        return new UpstreamError(null, str(map.get("type")), codeOf(map), null, intOf(map.get("status")), true);
    }

    private static String codeOf(Map<?, ?> map) {
        Object code = map.get("code");
        return code instanceof Number ? null : str(code);
    }

    private static String detail(Object d) {
        if (d instanceof String || d == null) {
            return (String) d;
        }
        if (d instanceof List && !((List<?>) d).isEmpty()) {
            Object first = ((List<?>) d).get(0);
            if (first instanceof Map) {
                Map<?, ?> m = (Map<?, ?>) first;
                String msg = str(m.get("msg") != null ? m.get("msg") : m.get("message"));
                Object loc = m.get("loc");
                if (msg != null) {
                    return loc == null ? msg : msg + " (at " + loc + ")";
                }
            }
            return String.valueOf(first);
        }
        return String.valueOf(d);
    }

    private static String text(String body) {
        if (body.indexOf('<') >= 0) {
            Matcher m = TITLE.matcher(body);
            if (m.find() && !m.group(1).isBlank()) {
                return m.group(1).trim();
            }
            return TAG.matcher(body).replaceAll(" ");
        }
        return body;
    }

    private static String str(Object o) {
        return o == null ? null : o instanceof String ? (String) o : String.valueOf(o);
    }

    private static int intOf(Object o) {
        if (o instanceof Number) {
            return ((Number) o).intValue();
        }
        if (o instanceof String) {
            try {
                return Integer.parseInt(((String) o).trim());
            } catch (NumberFormatException e) {
                return 0;
            }
        }
        return 0;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** @return the upstream's message, or null */
    public String message() {
        return message;
    }

    /** @return the error type, or null */
    public String type() {
        return type;
    }

    /** @return the error code, or null */
    public String code() {
        return code;
    }

    /** @return the parameter named by the error, or null */
    public String param() {
        return param;
    }

    /** @return a status the body itself names, else 0 */
    public int status() {
        return status;
    }

    /** @return whether the body was JSON */
    public boolean isJson() {
        return json;
    }
}
