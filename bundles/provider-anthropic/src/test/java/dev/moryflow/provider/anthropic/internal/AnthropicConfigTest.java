package dev.moryflow.provider.anthropic.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.Map;

import org.junit.Test;

import dev.moryflow.http.SettingException;
import dev.moryflow.provider.KeyState;
import dev.moryflow.provider.ProviderService;
import dev.moryflow.provider.Transport;

/** The configuration: defaults, the base URL with or without /v1, and refusals that name the property. */
public class AnthropicConfigTest {

    private static AnthropicConfig parse(Object... kv) throws SettingException {
        return AnthropicConfig.parse(AnthropicProviderTest.cfg("claude", kv));
    }

    private static SettingException refused(Object... kv) {
        try {
            parse(kv);
        } catch (SettingException e) {
            return e;
        }
        throw new AssertionError("not refused");
    }

    @Test
    public void defaultsAreAnthropicsOwn() throws Exception {
        AnthropicConfig c = parse("models", "claude-sonnet-4-5, claude-haiku-4-5");
        assertEquals("https://api.anthropic.com/v1/messages", c.messagesUrl().toString());
        assertEquals("https://api.anthropic.com/v1/models?limit=1000", c.modelsUrl().toString());
        assertEquals("https://api.anthropic.com", c.origin());
        assertEquals("2023-06-01", c.anthropicVersion());
        assertEquals(4096, c.maxTokens());
        assertEquals("ANTHROPIC_API_KEY", c.apiKeyEnv());
        assertEquals(Transport.HTTPS, c.transport());
        assertEquals(KeyState.MISSING, c.withoutKey());
        Map<String, Object> props = c.serviceProperties();
        assertEquals("claude", props.get(ProviderService.PROVIDER_ID));
        assertEquals("anthropic", props.get(ProviderService.PROVIDER_PROTOCOL));
        assertEquals(2, ((String[]) props.get(ProviderService.PROVIDER_MODELS)).length);
        assertFalse(props.containsKey("apiKey"));
    }

    @Test
    public void aBaseUrlWithV1OrAPathPrefixWorks() throws Exception {
        assertEquals("https://api.anthropic.com/v1/messages",
                parse("baseUrl", "https://api.anthropic.com/v1/").messagesUrl().toString());
        assertEquals("https://gw.example.com/anthropic/v1/messages",
                parse("baseUrl", "https://gw.example.com/anthropic").messagesUrl().toString());
        assertEquals("https://gw.example.com/anthropic/v1/models?limit=1000",
                parse("baseUrl", "https://gw.example.com/anthropic/v1").modelsUrl().toString());
    }

    @Test
    public void valuesFromACfgFileAreRead() throws Exception {
        AnthropicConfig c = parse("anthropicVersion", "2023-01-01", "maxTokens", "8192", "timeoutSeconds", "90",
                "headers", "anthropic-beta: a\nX-Team: r", "apiKeyEnv", "CLAUDE_KEY", "name", "Claude");
        assertEquals("2023-01-01", c.anthropicVersion());
        assertEquals(8192, c.maxTokens());
        assertEquals(90, c.timeout().getSeconds());
        assertEquals("a", c.headers().get("anthropic-beta"));
        assertEquals("CLAUDE_KEY", c.apiKeyEnv());
        assertEquals("Claude", c.name());
        assertTrue(parse("headers", "x-api-key: from-header").customAuth());
        assertEquals(KeyState.NOT_REQUIRED, parse("baseUrl", "http://localhost:9000").withoutKey());
    }

    @Test
    public void unusableValuesAreRefusedNamingTheProperty() {
        assertEquals("anthropicVersion", refused("anthropicVersion", "v1").property());
        assertEquals("maxTokens", refused("maxTokens", "0").property());
        assertEquals("maxTokens", refused("maxTokens", "lots").property());
        assertEquals("baseUrl", refused("baseUrl", "ftp://x").property());
        assertEquals("timeoutSeconds", refused("timeoutSeconds", "-1").property());
        SettingException pasted = refused("apiKeyEnv", "sk-ant-api03-secret-value");
        assertEquals("apiKeyEnv", pasted.property());
        assertFalse(pasted.getMessage().contains("secret-value"));
        assertEquals("headers", refused("headers", "no colon").property());
    }

    @Test
    public void anUnnamedOrInvalidIdIsRefused() {
        try {
            AnthropicConfig.parse(Map.of("service.pid", "moryflow.provider.anthropic", "baseUrl", "https://x"));
            fail();
        } catch (SettingException e) {
            assertEquals("id", e.property());
        }
    }
}
