package dev.moryflow.chat.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.Test;

import dev.moryflow.chat.RouteDefinition;

public class RouteConfigTest {

    private static String refusal(String pid, Map<String, ?> p) {
        try {
            RouteConfig.parse(pid, p);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        fail("accepted " + p);
        return null;
    }

    @Test
    public void aDeployFileGivesTheAliasAndCommaSeparatedTargetsWithTheDefaults() {
        RouteDefinition d = RouteConfig.parse("moryflow.route~fast",
                Map.of("targets", "down/m1, up/m2")).definition;
        assertEquals("fast", d.alias());
        assertEquals(List.of("down/m1", "up/m2"), d.targets());
        assertEquals(Set.of("connection", "timeout", "5xx", "429"), d.retryOn());
        assertEquals(5, d.maxRetryAfterSeconds());
        assertEquals("moryflow.route~fast", d.configuration());
    }

    @Test
    public void theAliasPropertyArraysAndRetryOnAreRead() {
        RouteDefinition d = RouteConfig.parse("moryflow.route~x", Map.of("alias", "chat-default", "targets",
                new String[] { "openrouter/meta-llama/llama-3", "groq/llama" }, "retryOn", "429,not-ready",
                "maxRetryAfterSeconds", "30")).definition;
        assertEquals("chat-default", d.alias());
        assertEquals(List.of("openrouter/meta-llama/llama-3", "groq/llama"), d.targets());
        assertEquals(Set.of("429", "not-ready"), d.retryOn());
        assertEquals(30, d.maxRetryAfterSeconds());
    }

    @Test
    public void badValuesAreRefusedNamingTheFieldAndTheFix() {
        assertTrue(refusal("moryflow.route~a", Map.of()).startsWith("targets: missing. List the models"));
        assertTrue(refusal("moryflow.route~a", Map.of("targets", "gpt-4o")).startsWith(
                "targets: 'gpt-4o' is not provider/model. Write each target as <provider id>/<model id>"));
        assertTrue(refusal("moryflow.route~a", Map.of("targets", "a/m,a/m")).contains("listed twice"));
        assertTrue(refusal("moryflow.route~a", Map.of("alias", "p/m", "targets", "a/m"))
                .startsWith("alias: 'p/m' is not a valid alias"));
        assertTrue(refusal("pid", Map.of("targets", "a/m")).startsWith("alias: missing"));
        assertTrue(refusal("moryflow.route~a", Map.of("targets", "a/m", "retryOn", "400"))
                .startsWith("retryOn: '400' is not known. Use any of connection, timeout, 5xx, 429, not-ready"));
        assertTrue(refusal("moryflow.route~a", Map.of("targets", "a/m", "maxRetryAfterSeconds", "soon"))
                .startsWith("maxRetryAfterSeconds: 'soon' is not a number of seconds from 0 to 600"));
    }
}
