package dev.moryflow.http;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.time.Duration;
import java.util.Map;

import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;

import org.junit.Test;

import dev.moryflow.provider.Problem;
import dev.moryflow.provider.ProviderException;
import mockwebserver3.MockWebServer;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;

public class ProblemsTest {

    private static final String KEY = "sk-test-1234567890abcdefXYZ";

    private static ProviderException status(int status, String body) {
        return Problems.httpStatus(status, Headers.of(), body, "gpt-4o", KEY.toCharArray());
    }

    // ------------------------------------------------------------------ status table

    @Test
    public void statusCodesMapToTheirProblems() {
        Object[][] table = {
                { 400, Problem.BAD_REQUEST }, { 422, Problem.BAD_REQUEST }, { 401, Problem.AUTHENTICATION },
                { 403, Problem.PERMISSION }, { 451, Problem.PERMISSION }, { 404, Problem.UPSTREAM_ERROR },
                { 408, Problem.TIMEOUT }, { 504, Problem.TIMEOUT }, { 413, Problem.CONTEXT_TOO_LONG },
                { 429, Problem.RATE_LIMITED }, { 500, Problem.UPSTREAM_ERROR }, { 502, Problem.UPSTREAM_ERROR },
                { 503, Problem.UPSTREAM_ERROR }, { 418, Problem.UPSTREAM_ERROR }, { 407, Problem.CONNECTION_FAILED },
        };
        for (Object[] row : table) {
            ProviderException e = status((Integer) row[0], "{\"error\":{\"message\":\"nope\"}}");
            assertEquals("HTTP " + row[0], row[1], e.problem());
            assertEquals(row[0], e.httpStatus());
            assertTrue(e.getMessage(), e.getMessage().contains("(HTTP " + row[0] + "): nope"));
            assertFalse("hint for " + row[0], e.hint().isBlank());
        }
    }

    @Test
    public void notFoundAboutTheModelIsModelNotFound() {
        ProviderException byCode = status(404, "{\"error\":{\"message\":\"The model `gpt-5` does not exist or you do "
                + "not have access to it.\",\"type\":\"invalid_request_error\",\"param\":null,"
                + "\"code\":\"model_not_found\"}}");
        assertEquals(Problem.MODEL_NOT_FOUND, byCode.problem());
        assertEquals("model_not_found", byCode.upstreamCode());
        assertTrue(byCode.getMessage(), byCode.getMessage().startsWith("model gpt-4o not found (HTTP 404): The model"));

        ProviderException byMessage = status(404, "{\"message\":\"no such model: llama9\"}");
        assertEquals(Problem.MODEL_NOT_FOUND, byMessage.problem());

        ProviderException byCodeOn400 = status(400, "{\"error\":{\"message\":\"x\",\"code\":\"model_not_found\"}}");
        assertEquals(Problem.MODEL_NOT_FOUND, byCodeOn400.problem());
    }

    @Test
    public void anUpstreamsOwnErrorCodeIsNeverGuessedIntoAMissingModel() {
        ProviderException own = Problems.upstreamError(200, Map.of("message", "The model produced invalid output",
                "code", "model_error"), "m", null);
        assertEquals(Problem.UPSTREAM_ERROR, own.problem());
        assertEquals("model_error", own.upstreamCode());
        ProviderException guessed = Problems.upstreamError(200, Map.of("message", "unknown model m"), "m", null);
        assertEquals("without a code of its own the wording still tells", Problem.MODEL_NOT_FOUND, guessed.problem());
    }

    @Test
    public void notFoundOfTheEndpointPointsAtTheBaseUrl() {
        ProviderException e = status(404, "<html><head><title>404 Not Found</title></head><body>nginx</body></html>");
        assertEquals(Problem.UPSTREAM_ERROR, e.problem());
        assertEquals("endpoint not found (HTTP 404): 404 Not Found", e.getMessage());
        assertTrue(e.hint(), e.hint().contains("usually ends with /v1"));

        ProviderException detail = status(404, "{\"detail\":\"Not Found\"}");
        assertEquals(Problem.UPSTREAM_ERROR, detail.problem());
        assertTrue(detail.getMessage().endsWith(": Not Found"));
    }

    @Test
    public void contextLengthErrorsAreContextTooLongWhateverTheStatus() {
        ProviderException e = status(400, "{\"error\":{\"message\":\"This model's maximum context length is 8192 "
                + "tokens. However, your messages resulted in 9000 tokens.\",\"type\":\"invalid_request_error\","
                + "\"param\":\"messages\",\"code\":\"context_length_exceeded\"}}");
        assertEquals(Problem.CONTEXT_TOO_LONG, e.problem());
        assertEquals("context_length_exceeded", e.upstreamCode());
        assertTrue(e.getMessage().startsWith("the conversation is too long for the model (HTTP 400)"));
    }

    @Test
    public void rateLimitCarriesRetryAfter() {
        ProviderException e = Problems.httpStatus(429, Headers.of("Retry-After", "20"),
                "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}",
                "m", null);
        assertEquals(Problem.RATE_LIMITED, e.problem());
        assertTrue(e.hint(), e.hint().contains("wait 20 s"));
        assertEquals("rate_limit_exceeded", e.upstreamCode());

        ProviderException quota = status(429, "{\"error\":{\"message\":\"You exceeded your current quota\","
                + "\"type\":\"insufficient_quota\",\"code\":\"insufficient_quota\"}}");
        assertTrue(quota.getMessage(), quota.getMessage().startsWith("the quota of this key is used up"));
    }

    @Test
    public void redirectNamesWhereToPointTheBaseUrl() {
        ProviderException e = Problems.httpStatus(301, Headers.of("Location", "https://api.example.com/v1/chat"),
                "", null, null);
        assertEquals(Problem.UPSTREAM_ERROR, e.problem());
        assertEquals("the provider redirects to https://api.example.com/v1/chat (HTTP 301)", e.getMessage());
        assertTrue(e.hint().contains("Base URL"));
    }

    @Test
    public void errorBodyShapesAreAllRead() {
        assertEquals("the provider did not accept the request (HTTP 400): plain words",
                status(400, "{\"error\":\"plain words\"}").getMessage());
        assertEquals("the provider did not accept the request (HTTP 400): top message [bad_thing]",
                status(400, "{\"message\":\"top message\",\"code\":\"bad_thing\"}").getMessage());
        assertEquals("the provider did not accept the request (HTTP 422): field required (at [body, messages])",
                status(422, "{\"detail\":[{\"loc\":[\"body\",\"messages\"],\"msg\":\"field required\"}]}")
                        .getMessage());
        assertEquals("the provider had an internal error (HTTP 500): upstream exploded",
                status(500, "upstream exploded").getMessage());
        assertEquals("the provider is unavailable (HTTP 503)", status(503, "").getMessage());
        assertEquals("the provider did not accept the request (HTTP 400): from array",
                status(400, "[{\"error\":{\"message\":\"from array\"}}]").getMessage());
        assertEquals("the provider had an internal error (HTTP 500): {broken json",
                status(500, "{broken json").getMessage());
    }

    @Test
    public void longUpstreamTextIsShortenedToOneLine() {
        String longText = "line one\n\n   line two " + "x".repeat(1000);
        ProviderException e = status(500, longText);
        String upstream = e.getMessage().substring(e.getMessage().indexOf(": ") + 2);
        assertEquals(Problems.MAX_UPSTREAM_TEXT, upstream.length());
        assertTrue(upstream.startsWith("line one line two xxx"));
        assertTrue(upstream.endsWith("…"));
    }

    @Test
    public void errorObjectInsideAnOkAnswerIsMappedByItsCode() {
        ProviderException e = Problems.upstreamError(200,
                Map.of("message", "Rate limit exceeded", "code", 429), "m", null);
        assertEquals(Problem.RATE_LIMITED, e.problem());
        assertEquals(429, e.httpStatus());

        ProviderException ctx = Problems.upstreamError(200, Map.of("message", "too long",
                "code", "context_length_exceeded"), "m", null);
        assertEquals(Problem.CONTEXT_TOO_LONG, ctx.problem());

        ProviderException plain = Problems.upstreamError(200, "something broke", "m", null);
        assertEquals(Problem.UPSTREAM_ERROR, plain.problem());
        assertEquals("the provider reported an error: something broke", plain.getMessage());
    }

    // ------------------------------------------------------------------ redaction

    @Test
    public void keyEchoedByTheUpstreamNeverReachesTheMessage() {
        String body = "{\"error\":{\"message\":\"Incorrect API key provided: " + KEY
                + ". You can find your API key at https://platform.openai.com/account/api-keys.\","
                + "\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}";
        ProviderException e = status(401, body);
        assertEquals(Problem.AUTHENTICATION, e.problem());
        assertFalse(e.getMessage(), e.getMessage().contains(KEY));
        assertFalse(e.describe().contains(KEY));
        assertTrue(e.getMessage(), e.getMessage().contains("[redacted]"));
    }

    @Test
    public void partlyMaskedAndHeaderEchoesAreRedacted() {
        String masked = Problems.redact("Incorrect API key provided: sk-test-************XYZ.", KEY.toCharArray());
        assertFalse(masked, masked.contains("sk-test-"));
        String header = Problems.redact("got Authorization: Bearer abc.def-ghi123 instead", null);
        assertEquals("got Authorization: Bearer [redacted] instead", header);
        String param = Problems.redact("bad url ?api_key=AbCdEfGh12345&x=1", null);
        assertEquals("bad url ?api_key=[redacted]&x=1", param);
        String other = Problems.redact("key gsk_abcdefghijklmnop rejected", null);
        assertEquals("key [redacted] rejected", other);
    }

    /** Keys of other shapes than {@code sk-…}: Azure's 32 hex characters, Gemini's 39, punctuation. */
    private static final String AZURE_KEY = "3f9a0c1b7d2e48f6a5b3c9d0e1f27a84";
    private static final String GEMINI_KEY = "AIzaSyB4-x9Qk2LmN7pR0sT5vW8yZ1aC3dE6fGh";
    private static final String PUNCTUATED_KEY = "q7!Rz#4m@Lp%9w^Kx&2v*Tn(8)b_Hs+3j=Yd|";
    private static final String[] SHAPES = { AZURE_KEY, GEMINI_KEY, PUNCTUATED_KEY, KEY };

    /** Fails naming the first run of 8 consecutive characters of the key found in the text. */
    private static void assertNoRunOfTheKey(String key, String text) {
        for (int i = 0; i + 8 <= key.length(); i++) {
            String run = key.substring(i, i + 8);
            assertFalse("characters " + i + ".." + (i + 8) + " of the key (" + run + ") survived in: " + text,
                    text.contains(run));
        }
    }

    @Test
    public void keysOfEveryShapeAreRedactedWholeInTextAndThroughAnErrorAnswer() {
        assertEquals(32, AZURE_KEY.length());
        assertEquals(39, GEMINI_KEY.length());
        for (String key : SHAPES) {
            String text = Problems.redact("Access denied due to invalid subscription key " + key + ". Make sure",
                    key.toCharArray());
            assertNoRunOfTheKey(key, text);
            assertTrue(text, text.contains("[redacted]") && text.endsWith(". Make sure"));

            ProviderException e = Problems.httpStatus(401, Headers.of(), "{\"error\":{\"message\":\"API key not valid: "
                    + key + "\",\"code\":\"" + key + "\"}}", "m", key.toCharArray());
            assertEquals(Problem.AUTHENTICATION, e.problem());
            assertNoRunOfTheKey(key, e.describe());
            assertNoRunOfTheKey(key, String.valueOf(e.upstreamCode()));
        }
    }

    @Test
    public void keyEchoedWithoutItsFirstOrLastCharactersOrCutInTheMiddleIsRedacted() {
        for (String key : SHAPES) {
            char[] secret = key.toCharArray();
            String withoutFirst4 = key.substring(4);
            String withoutLast4 = key.substring(0, key.length() - 4);
            String middle8 = key.substring(key.length() / 2 - 4, key.length() / 2 + 4);
            for (String echo : new String[] { withoutFirst4, withoutLast4, middle8 }) {
                String text = Problems.redact("Incorrect API key provided: " + echo + " (check it)", secret);
                assertEquals("echo " + echo + " of key " + key, "Incorrect API key provided: [redacted] (check it)",
                        text);
            }
            String glued = Problems.redact("header=" + withoutFirst4 + "," + middle8 + ";tail", secret);
            assertNoRunOfTheKey(key, glued);
            assertTrue(glued, glued.endsWith(";tail"));

            ProviderException e = Problems.httpStatus(400, Headers.of(), "Bad request. Authorization: ***"
                    + withoutFirst4, "m", secret);
            assertNoRunOfTheKey(key, e.describe());
        }
    }

    @Test
    public void aRunOfSevenCharactersOfTheKeyStays() {
        for (String key : SHAPES) {
            String seven = key.substring(10, 17);
            String text = "request " + seven + " refused";
            assertEquals("a 7-character run of " + key + " is not a key", text,
                    Problems.redact(text, key.toCharArray()));
        }
    }

    @Test
    public void keyRunDeepInsideALargeBodyIsRedactedAndTheRestKept() {
        String key = GEMINI_KEY + AZURE_KEY + PUNCTUATED_KEY + "Zx9".repeat(40);
        String filler = "lorem ipsum dolor sit amet, ".repeat(2300);
        String text = filler + key.substring(30, 150) + filler;
        String out = Problems.redact(text, key.toCharArray());
        assertEquals(filler + "[redacted]" + filler, out);
    }

    @Test
    public void keyStraddlingTheCutIsRedactedBeforeShortening() {
        String body = "y".repeat(Problems.MAX_UPSTREAM_TEXT - 10) + KEY;
        ProviderException e = status(500, body);
        assertFalse(e.getMessage(), e.getMessage().contains(KEY.substring(0, 10)));
    }

    @Test
    public void notUnderstoodSaysContentTypeAndStartAndHintsAtHtml() {
        ProviderException e = Problems.notUnderstood("the answer is not JSON", "text/html; charset=utf-8",
                "<!DOCTYPE html><html><body>Welcome " + KEY + "</body></html>", KEY.toCharArray());
        assertEquals(Problem.RESPONSE_FORMAT, e.problem());
        assertTrue(e.getMessage(), e.getMessage().startsWith(
                "the answer is not JSON (content type text/html; charset=utf-8): <!DOCTYPE html>"));
        assertFalse(e.getMessage().contains(KEY));
        assertTrue(e.hint(), e.hint().contains("web site"));
    }

    // ------------------------------------------------------------------ transport (real sockets)

    private static int refusedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static IOException failure(OkHttpClient client, HttpUrl url) {
        try {
            client.newCall(new Request.Builder().url(url).build()).execute().close();
        } catch (IOException e) {
            return e;
        }
        fail("expected the call to " + url + " to fail");
        return null;
    }

    @Test
    public void refusedPortIsConnectionRefused() throws IOException {
        HttpUrl url = HttpUrl.get("http://127.0.0.1:" + refusedPort() + "/v1/chat/completions");
        ProviderException e = Problems.transport(failure(new OkHttpClient(), url), url);
        assertEquals(Problem.CONNECTION_FAILED, e.problem());
        assertEquals("connection refused by 127.0.0.1:" + url.port(), e.getMessage());
        assertTrue(e.hint(), e.hint().startsWith("Is the server running?"));
        assertNotNull(e.getCause());
    }

    @Test
    public void unresolvableHostSaysSo() {
        HttpUrl url = HttpUrl.get("https://nonexistent.invalid/v1/models");
        ProviderException e = Problems.transport(failure(new OkHttpClient(), url), url);
        assertEquals(Problem.CONNECTION_FAILED, e.problem());
        assertEquals("could not resolve host nonexistent.invalid", e.getMessage());
    }

    @Test
    public void unreachableProxyIsNamed() throws IOException {
        Proxy proxy = new Proxy(Proxy.Type.HTTP, new InetSocketAddress("127.0.0.1", refusedPort()));
        OkHttpClient client = new OkHttpClient.Builder().proxy(proxy).build();
        HttpUrl url = HttpUrl.get("http://api.example.com/v1/models");
        ProviderException e = Problems.transport(failure(client, url), url, client.proxy());
        assertEquals(Problem.CONNECTION_FAILED, e.problem());
        assertEquals("could not connect to the proxy 127.0.0.1:" + ((InetSocketAddress) proxy.address()).getPort(),
                e.getMessage());
        assertTrue(e.hint(), e.hint().contains("moryflow.http"));
    }

    @Test
    public void httpsToAPlainHttpServerIsTls() throws Exception {
        // a plain HTTP server that answers at once, whatever it receives (a TLS hello has no line end to wait for)
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread answer = new Thread(() -> {
                try (java.net.Socket s = server.accept()) {
                    s.getOutputStream().write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                } catch (IOException ignored) {
                    // the client hung up first
                }
            });
            answer.start();
            HttpUrl url = HttpUrl.get("https://127.0.0.1:" + server.getLocalPort() + "/v1/models");
            OkHttpClient client = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(5)).build();
            ProviderException e = Problems.transport(failure(client, url), url);
            assertEquals(e.getMessage(), Problem.TLS, e.problem());
            answer.join(5_000);
        }
    }

    @Test
    public void readTimeoutIsTimeout() throws IOException {
        HttpUrl url = HttpUrl.get("http://127.0.0.1:1/v1");
        ProviderException read = Problems.transport(new SocketTimeoutException("timeout"), url);
        assertEquals(Problem.TIMEOUT, read.problem());
        assertTrue(read.getMessage().contains("read timeout"));
        ProviderException connect = Problems.transport(new SocketTimeoutException("Connect timed out"), url);
        assertEquals(Problem.TIMEOUT, connect.problem());
        assertTrue(connect.getMessage().contains("connect timeout"));
        ProviderException cancelled = Problems.transport(new IOException("Canceled"), url);
        assertEquals(Problem.CANCELLED, cancelled.problem());
    }

    @Test
    public void certificateTroublesSayWhich() {
        HttpUrl url = HttpUrl.get("https://llm.internal.example/v1");
        SSLHandshakeException expired = new SSLHandshakeException("PKIX path validation failed");
        expired.initCause(new CertificateExpiredException("NotAfter: Mon Jan 01 2024"));
        ProviderException e1 = Problems.transport(expired, url);
        assertEquals(Problem.TLS, e1.problem());
        assertTrue(e1.getMessage(), e1.getMessage().startsWith("TLS certificate expired"));

        SSLHandshakeException untrusted = new SSLHandshakeException(
                "PKIX path building failed: unable to find valid certification path to requested target");
        untrusted.initCause(new CertPathValidatorException("no trust anchor"));
        ProviderException e2 = Problems.transport(untrusted, url);
        assertTrue(e2.getMessage(), e2.getMessage().startsWith("TLS certificate untrusted"));
        assertTrue(e2.hint(), e2.hint().contains("set caCertificates in this provider's configuration"));

        ProviderException e3 = Problems.transport(new SSLPeerUnverifiedException(
                "Hostname llm.internal.example not verified"), url);
        assertEquals(Problem.TLS, e3.problem());
        assertTrue(e3.getMessage(), e3.getMessage().startsWith("TLS host name mismatch"));
    }

    @Test
    public void serverThatWantsAClientCertificateNamesClientCertificate() {
        HttpUrl url = HttpUrl.get("https://llm.internal.example/v1");
        for (String alert : new String[] { "Received fatal alert: certificate_required",
                "Received fatal alert: bad_certificate" }) {
            ProviderException e = Problems.transport(new javax.net.ssl.SSLException(alert), url);
            assertEquals(Problem.TLS, e.problem());
            assertTrue(e.getMessage(), e.getMessage().contains("requires a client certificate (mutual TLS)"));
            assertTrue(e.hint(), e.hint().contains("clientCertificate") && e.hint().contains("clientKey"));
        }
    }

    @Test
    public void aConnectionClosedAfterTheHandshakeNamesTheClientCertificateForHttpsOnly() {
        ProviderException https = Problems.transport(new java.net.SocketException("Connection reset"),
                HttpUrl.get("https://llm.internal.example/v1"));
        assertEquals(Problem.CONNECTION_FAILED, https.problem());
        assertTrue(https.hint(), https.hint().contains("set clientCertificate and clientKey"));
        ProviderException http = Problems.transport(new java.net.SocketException("Connection reset"),
                HttpUrl.get("http://localhost:1234/v1"));
        assertFalse(http.hint(), http.hint().contains("clientCertificate"));
    }

    @Test
    public void anUnreachableProxyNamesTheHubsAndTheProvidersOwnProxySetting() {
        java.net.Proxy proxy = new java.net.Proxy(java.net.Proxy.Type.HTTP,
                java.net.InetSocketAddress.createUnresolved("team-proxy", 3128));
        ProviderException e = Problems.transport(new java.net.ConnectException("Connection refused"),
                HttpUrl.get("https://llm.internal.example/v1"), proxy);
        assertTrue(e.getMessage(), e.getMessage().startsWith("could not connect to the proxy team-proxy:3128"));
        assertTrue(e.hint(), e.hint().contains("proxy setting of moryflow.http"));
        assertTrue(e.hint(), e.hint().contains("this provider's own proxy"));
    }

    @Test
    public void withProviderKeepsTheMapping() {
        ProviderException e = status(401, "{}");
        ProviderException named = e.withProvider("groq");
        assertEquals("groq", named.providerId());
        assertEquals(e.getMessage(), named.getMessage());
        assertSame(named, named.withProvider("groq"));
    }
    @Test
    public void errorAnswerKeepsTheUpstreamsStatusErrorObjectAndRateLimitHeadersRedacted() {
        ProviderException e = Problems.httpStatus(429, Headers.of("Retry-After", "4",
                "x-ratelimit-remaining-requests", "0", "Set-Cookie", "session=1"),
                "{\"error\":{\"message\":\"slow down, key " + KEY + "\",\"type\":\"requests\",\"param\":null,"
                        + "\"code\":\"rate_limit_exceeded\"}}",
                "gpt-4o", KEY.toCharArray());
        dev.moryflow.provider.UpstreamAnswer a = e.upstreamAnswer();
        assertEquals(429, a.status());
        assertEquals("rate_limit_exceeded", a.errorText("code"));
        assertEquals("requests", a.errorText("type"));
        assertTrue(a.error().containsKey("param"));
        assertFalse(a.errorText("message"), a.errorText("message").contains(KEY));
        assertEquals(Map.of("Retry-After", "4", "x-ratelimit-remaining-requests", "0"), Map.copyOf(a.headers()));
        assertEquals("the classification is kept beside it", Problem.RATE_LIMITED, e.problem());
        assertSame(a, e.withProvider("p").upstreamAnswer());
    }

    @Test
    public void errorInsideAnAnswerKeepsItsOwnCodeAndTheAnswersStatus() {
        ProviderException e = Problems.upstreamError(200, Map.of("code", "model_error", "message",
                "The model produced invalid output"), "m", null);
        assertEquals(200, e.upstreamAnswer().status());
        assertEquals("model_error", e.upstreamAnswer().errorText("code"));
    }

    @Test
    public void proxyAndNonJsonAnswersCarryNoUpstreamErrorObject() {
        assertEquals(null, Problems.httpStatus(407, Headers.of(), "", null, null).upstreamAnswer());
        ProviderException html = Problems.httpStatus(502, Headers.of(), "<html><title>Bad gateway</title></html>",
                null, null);
        assertEquals(502, html.upstreamAnswer().status());
        assertEquals(null, html.upstreamAnswer().error());
    }
}
