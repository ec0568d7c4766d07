package dev.moryflow.config;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.junit.Test;

import dev.moryflow.provider.ProviderIds;

public class ProviderFormTest {

    private static CheckedForm check(String id, String name, String url, String models) {
        return ProviderForm.check(Map.of("id", id, "name", name, "baseUrl", url, "models", models),
                taken -> taken.equals("groq"));
    }

    @Test
    public void aGoodFormMakesTheConfigurationWithoutAKeyOrAnId() {
        CheckedForm p = check(" my-ai ", "My AI Service", "https://api.example.com/v1", "gpt-4, gpt-3.5-turbo,gpt-4");
        assertTrue(p.errors().toString(), p.valid());
        assertEquals("my-ai", p.value("id"));
        Hashtable<String, Object> props = p.properties();
        assertEquals("My AI Service", props.get("name"));
        assertEquals("https://api.example.com/v1", props.get("baseUrl"));
        assertArrayEquals(new String[] { "gpt-4", "gpt-3.5-turbo" }, (String[]) props.get("models"));
        assertFalse(props.containsKey("apiKey"));
        assertFalse(props.containsKey("id"));
        assertFalse(props.containsKey("dialect"));
        assertFalse(props.containsKey("allowInsecure"));
    }

    @Test
    public void eachFieldHasItsError() {
        CheckedForm p = check("my ai/1", "", "ftp://files.example.com", "");
        assertFalse(p.valid());
        assertTrue(p.error("id"), p.error("id").contains(ProviderIds.RULE));
        assertTrue(p.error("name"), p.error("name").startsWith("name is missing"));
        assertTrue(p.error("baseUrl"), p.error("baseUrl").contains("uses ftp://: only http:// and https://"));
        assertNull(p.error("models"));
        assertEquals("my ai/1", p.value("id"));
    }

    @Test
    public void idsThatCannotBeUsed() {
        assertTrue(check("groq", "Groq", "https://api.groq.com/openai/v1", "").error("id").contains("exists already"));
        assertTrue(check("gateway.token", "x", "https://x.example.com", "").error("id").contains("reserved"));
        assertTrue(check("", "My AI", "https://x.example.com", "").error("id").contains("for example my-ai"));
    }

    @Test
    public void baseUrlsInTheProviderBundlesWords() {
        assertTrue(ProviderForm.baseUrlError("").startsWith("baseUrl is missing"));
        assertTrue(ProviderForm.baseUrlError("api.example.com/v1").contains("is not a valid URL"));
        assertTrue(ProviderForm.baseUrlError("https://a b").contains("is not a valid URL"));
        assertTrue(ProviderForm.baseUrlError("https://u:p@x.example.com/v1").contains("user name or password"));
        assertNull(ProviderForm.baseUrlError("http://localhost:1234/v1"));
    }

    @Test
    public void optionalFieldsAreTypedAsTheProviderBundleReadsThem() {
        Map<String, Object> f = new HashMap<>(Map.of("id", "az", "name", "Azure", "baseUrl",
                "https://r.openai.azure.com/openai/deployments/gpt4o", "dialect", "Azure", "apiVersion", "2024-10-21",
                "headers", "X-Team: research\r\nX-Other: 1\n", "timeoutSeconds", "120", "allowInsecure", "on"));
        CheckedForm p = ProviderForm.check(f, id -> false);
        assertTrue(p.errors().toString(), p.valid());
        Hashtable<String, Object> props = p.properties();
        assertEquals("azure", props.get("dialect"));
        assertEquals("2024-10-21", props.get("apiVersion"));
        assertArrayEquals(new String[] { "X-Team: research", "X-Other: 1" }, (String[]) props.get("headers"));
        assertEquals(120, props.get("timeoutSeconds"));
        assertEquals(Boolean.TRUE, props.get("allowInsecure"));
    }

    @Test
    public void wrongOptionalFieldsAreNamedWithTheirFix() {
        CheckedForm p = ProviderForm.check(Map.of("id", "x", "name", "X", "baseUrl", "https://x.example.com/v1",
                "dialect", "azure", "headers", List.of("X-Team research", "Bad Name: v"), "timeoutSeconds", "-1",
                "allowInsecure", "maybe"), id -> false);
        assertTrue(p.error("apiVersion"), p.error("apiVersion").startsWith("apiVersion is missing, and Azure"));
        assertTrue(p.error("headers"), p.error("headers").startsWith("headers line 1 has no name before a ':'"));
        assertTrue(p.error("timeoutSeconds"), p.error("timeoutSeconds").contains("which is negative"));
        assertTrue(p.error("allowInsecure"), p.error("allowInsecure").contains("is neither true nor false"));
        assertTrue(ProviderForm.check(Map.of("dialect", "anthropic"), id -> false).error("dialect")
                .contains("is unknown: use openai"));
        assertTrue(ProviderForm.headersError(List.of("X-Secret: a\u0001b")).contains("control or non-ASCII"));
    }
}
