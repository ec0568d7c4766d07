package dev.moryflow.gateway.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.Test;

import dev.moryflow.provider.Problem;
import dev.moryflow.provider.ProviderException;
import dev.moryflow.provider.UpstreamAnswer;

public class ErrorMappingTest {

    private final OpenAiWire wire = new OpenAiWire();

    private static ProviderException upstream(Problem problem, int status, Map<String, Object> error,
            Map<String, String> headers) {
        return new ProviderException(problem, "classified", null, status, null, "groq", null)
                .withUpstreamAnswer(new UpstreamAnswer(status, error, headers));
    }

    private static Map<String, Object> error(String message, String type, String param, String code) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("message", message);
        e.put("type", type);
        e.put("param", param);
        e.put("code", code);
        return e;
    }

    private static String body(ErrorMapping.Answer a) {
        return new String(a.body, StandardCharsets.UTF_8);
    }

    @Test
    public void upstreamErrorObjectStatusAndRateLimitHeadersPassUnchangedWhateverTheClassification() {
        ErrorMapping.Answer a = ErrorMapping.answer(upstream(Problem.MODEL_NOT_FOUND, 400,
                error("The model is invalid for this request", "invalid_request_error", "temperature", "custom_code"),
                Map.of("Retry-After", "4", "x-ratelimit-remaining-requests", "0", "Server", "x")), wire);
        assertEquals(400, a.status);
        assertEquals("{\"error\":{\"message\":\"The model is invalid for this request\",\"type\":"
                + "\"invalid_request_error\",\"param\":\"temperature\",\"code\":\"custom_code\"}}", body(a));
        assertEquals(Map.of("Retry-After", "4", "x-ratelimit-remaining-requests", "0"), Map.copyOf(a.headers));
    }

    @Test
    public void errorInsideASuccessfulAnswerKeepsStatus200AndItsOwnCode() {
        ErrorMapping.Answer a = ErrorMapping.answer(upstream(Problem.MODEL_NOT_FOUND, 200,
                error("The model produced invalid output", "server_error", null, "model_error"), null), wire);
        assertEquals(200, a.status);
        assertTrue(body(a), body(a).contains("\"code\":\"model_error\"") && !body(a).contains("model_not_found"));
    }

    @Test
    public void upstream401StaysA401NamingTheProviderTheFixAndTheUpstreamsMessage() {
        ErrorMapping.Answer a = ErrorMapping.answer(upstream(Problem.AUTHENTICATION, 401,
                error("Invalid API Key", "invalid_request_error", null, "invalid_api_key"), null), wire);
        assertEquals(401, a.status);
        String b = body(a);
        assertTrue(b, b.contains("\"code\":\"invalid_api_key\"") && b.contains("\"type\":\"invalid_request_error\""));
        assertTrue(b, b.contains("provider 'groq' rejected the API key") && b.contains("Invalid API Key")
                && b.contains("moryflow:key-set groq") && b.contains("PUT /api/providers/groq/key"));
    }

    @Test
    public void answerWithoutAnErrorObjectKeepsItsStatusWithTheHubsMessage() {
        ErrorMapping.Answer a = ErrorMapping.answer(upstream(Problem.UPSTREAM_ERROR, 503, null, null), wire);
        assertEquals(503, a.status);
        assertTrue(body(a), body(a).contains("provider 'groq': classified"));
    }

    @Test
    public void failureWithoutAnAnswerUsesTheHubsMapping() {
        ErrorMapping.Answer a = ErrorMapping.answer(new ProviderException(Problem.CONNECTION_FAILED, "refused", null,
                0, null, "groq", null), wire);
        assertEquals(502, a.status);
        assertTrue(body(a), body(a).contains("\"code\":\"upstream_connection_failed\""));
        assertTrue(a.headers.isEmpty());
    }

    @Test
    public void aMessageThatNamesItsProviderIsNotPrefixedWithItAgain() {
        ErrorMapping.Answer a = ErrorMapping.answer(ProviderException.removed("groq", "its configuration was deleted"),
                wire);
        assertEquals(503, a.status);
        assertTrue(body(a), body(a).contains("\"message\":\"provider 'groq' was removed while this chat was running "
                + "(its configuration was deleted). The answer stops here."));
        assertEquals("provider 'groq': refused. " + Problem.CONNECTION_FAILED.defaultHint(), ErrorMapping.message(
                new ProviderException(Problem.CONNECTION_FAILED, "refused", null, 0, null, "groq", null)));
    }
}
