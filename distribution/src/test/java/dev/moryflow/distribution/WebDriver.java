package dev.moryflow.distribution;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A minimal W3C WebDriver client for chromedriver (JSON over HTTP), enough to drive a page: open, find, type,
 * click, read text, wait, screenshot. Plain JDK, so the browser test needs nothing but Debian's chromium and
 * chromium-driver.
 */
final class WebDriver implements AutoCloseable {

    private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
    private static final Pattern VALUE_STRING = Pattern.compile("\"value\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String session;

    WebDriver(int driverPort, String chromium) throws IOException, InterruptedException {
        this.base = "http://127.0.0.1:" + driverPort;
        String caps = "{\"capabilities\":{\"alwaysMatch\":{\"browserName\":\"chrome\",\"goog:chromeOptions\":{"
                + "\"binary\":\"" + chromium + "\",\"args\":[\"--headless\",\"--no-sandbox\",\"--disable-gpu\","
                + "\"--disable-quic\",\"--no-first-run\",\"--disable-background-networking\","
                + "\"--disable-component-update\",\"--disable-sync\",\"--window-size=1100,700\"]}}}}";
        String answer = call("POST", "/session", caps);
        Matcher m = Pattern.compile("\"sessionId\"\\s*:\\s*\"([^\"]+)\"").matcher(answer);
        if (!m.find()) {
            throw new IOException("chromedriver did not open a session: " + answer);
        }
        this.session = m.group(1);
    }

    void open(String url) throws IOException, InterruptedException {
        call("POST", path("/url"), "{\"url\":\"" + url + "\"}");
    }

    /** @return the element id of the first element matching the CSS selector, or null */
    String find(String css) throws IOException, InterruptedException {
        HttpResponse<String> r = send("POST", path("/element"), "{\"using\":\"css selector\",\"value\":\""
                + css.replace("\"", "\\\"") + "\"}");
        if (r.statusCode() == 404) {
            return null;
        }
        Matcher m = Pattern.compile("\"" + ELEMENT + "\"\\s*:\\s*\"([^\"]+)\"").matcher(check(r));
        return m.find() ? m.group(1) : null;
    }

    /** Waits up to {@code seconds} for an element matching the selector. */
    String await(String css, int seconds) throws IOException, InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            String id = find(css);
            if (id != null) {
                return id;
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("no element '" + css + "' on the page within " + seconds + " s");
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }

    /**
     * Waits up to {@code seconds} until the first element matching the CSS selector contains {@code text}. The page
     * itself says when (a MutationObserver in an asynchronous script), so no change is missed between two looks.
     *
     * @return the element's text content at that moment
     */
    String awaitText(String css, String text, int seconds) throws IOException, InterruptedException {
        call("POST", path("/timeouts"), "{\"script\":" + TimeUnit.SECONDS.toMillis(seconds) + "}");
        String script = "var css = arguments[0], want = arguments[1], done = arguments[2];"
                + "function found() { var e = document.querySelector(css);"
                + " return e && e.textContent.indexOf(want) >= 0 ? e.textContent : null; }"
                + "var now = found(); if (now !== null) { done(now); return; }"
                + "var observer = new MutationObserver(function () { var t = found();"
                + " if (t !== null) { observer.disconnect(); done(t); } });"
                + "observer.observe(document.documentElement, { subtree: true, childList: true, characterData: true });";
        HttpResponse<String> r = send("POST", path("/execute/async"), "{\"script\":" + json(script) + ",\"args\":["
                + json(css) + "," + json(text) + "]}");
        if (r.statusCode() >= 300 && r.body().contains("timeout")) {
            String id = find(css);
            throw new AssertionError("no '" + text + "' in '" + css + "' within " + seconds + " s; it shows: "
                    + (id == null ? "(no such element)" : "'" + text(id) + "'"));
        }
        return unescape(check(r));
    }

    private static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /**
     * Sends HTTP Basic credentials with every request of the page from now on (through the DevTools protocol):
     * how the browser logs in to the Web Console, which asks for Basic authentication.
     */
    void basicAuth(String user, String password) throws IOException, InterruptedException {
        String credentials = Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        call("POST", path("/goog/cdp/execute"), "{\"cmd\":\"Network.enable\",\"params\":{}}");
        call("POST", path("/goog/cdp/execute"), "{\"cmd\":\"Network.setExtraHTTPHeaders\",\"params\":{\"headers\":"
                + "{\"Authorization\":\"Basic " + credentials + "\"}}}");
    }

    /** Sets the window's size (for screenshots). */
    void resize(int width, int height) throws IOException, InterruptedException {
        call("POST", path("/window/rect"), "{\"width\":" + width + ",\"height\":" + height + "}");
    }

    /** @return the HTML of the page as it is now */
    String source() throws IOException, InterruptedException {
        return unescape(call("GET", path("/source"), null));
    }

    /** @return the page's address */
    String url() throws IOException, InterruptedException {
        return unescape(call("GET", path("/url"), null));
    }

    /** @return an element's DOM property, such as an input's {@code value} */
    String property(String element, String name) throws IOException, InterruptedException {
        return unescape(call("GET", path("/element/" + element + "/property/" + name), null));
    }

    /**
     * Accepts the page's {@code confirm()} dialog, waiting up to 10 s for it to open.
     *
     * @return the dialog's text
     */
    String acceptDialog() throws IOException, InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (send("GET", path("/alert/text"), null).statusCode() != 200) {
            if (System.nanoTime() > end) {
                throw new AssertionError("no dialog opened within 10 s");
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        String text = unescape(call("GET", path("/alert/text"), null));
        call("POST", path("/alert/accept"), "{}");
        return text;
    }

    /** @return the string {@code "value"} of a WebDriver answer, unescaped */
    private static String unescape(String answer) {
        // scanned by hand: a regular expression over a whole page's source overflows the stack
        Matcher start = Pattern.compile("\"value\"\\s*:\\s*\"").matcher(answer);
        if (!start.find()) {
            return "";
        }
        String v = answer;
        StringBuilder b = new StringBuilder(v.length());
        for (int i = start.end(); i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '"') {
                break;
            }
            if (c != '\\' || i + 1 == v.length()) {
                b.append(c);
                continue;
            }
            char n = v.charAt(++i);
            switch (n) {
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case 'r' -> b.append('\r');
                case 'u' -> {
                    b.append((char) Integer.parseInt(v.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> b.append(n);
            }
        }
        return b.toString();
    }

    void type(String element, String text) throws IOException, InterruptedException {
        call("POST", path("/element/" + element + "/value"), "{\"text\":\"" + text.replace("\"", "\\\"") + "\"}");
    }

    void click(String element) throws IOException, InterruptedException {
        call("POST", path("/element/" + element + "/click"), "{}");
    }

    String text(String element) throws IOException, InterruptedException {
        Matcher m = VALUE_STRING.matcher(call("GET", path("/element/" + element + "/text"), null));
        return m.find() ? m.group(1).replace("\\n", "\n").replace("\\\"", "\"") : "";
    }

    byte[] screenshot() throws IOException, InterruptedException {
        String answer = call("GET", path("/screenshot"), null);
        int start = answer.indexOf("\"value\":\"");
        int end = start < 0 ? -1 : answer.indexOf('"', start + 9);
        if (end < 0) {
            throw new IOException("no screenshot in the answer");
        }
        return Base64.getDecoder().decode(answer.substring(start + 9, end));
    }

    @Override
    public void close() throws IOException, InterruptedException {
        send("DELETE", "/session/" + session, null);
    }

    private String path(String tail) {
        return "/session/" + session + tail;
    }

    private String call(String method, String path, String body) throws IOException, InterruptedException {
        return check(send(method, path, body));
    }

    private static String check(HttpResponse<String> r) throws IOException {
        if (r.statusCode() >= 300) {
            throw new IOException("WebDriver " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    private HttpResponse<String> send(String method, String path, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
