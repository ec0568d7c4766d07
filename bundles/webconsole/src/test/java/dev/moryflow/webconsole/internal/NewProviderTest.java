package dev.moryflow.webconsole.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.Hashtable;
import java.util.Map;

import org.junit.Test;

import dev.moryflow.provider.ProviderIds;

public class NewProviderTest {

    private static NewProvider check(String id, String name, String url, String models) {
        return NewProvider.check(Map.of("id", id, "name", name, "baseUrl", url, "models", models),
                taken -> taken.equals("groq"));
    }

    @Test
    public void aGoodFormMakesTheConfigurationWithoutAKey() {
        NewProvider p = check(" my-ai ", "My AI Service", "https://api.example.com/v1", "gpt-4, gpt-3.5-turbo,gpt-4");
        assertTrue(p.errors().toString(), p.valid());
        assertEquals("my-ai", p.id());
        Hashtable<String, Object> props = p.properties();
        assertEquals("My AI Service", props.get("name"));
        assertEquals("https://api.example.com/v1", props.get("baseUrl"));
        assertArrayEquals(new String[] { "gpt-4", "gpt-3.5-turbo" }, (String[]) props.get("models"));
        assertFalse(props.containsKey("apiKey"));
        assertFalse(props.containsKey("id"));
    }

    @Test
    public void eachFieldHasItsError() {
        NewProvider p = check("my ai/1", "", "ftp://files.example.com", "");
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
        assertTrue(NewProvider.baseUrlError("").startsWith("baseUrl is missing"));
        assertTrue(NewProvider.baseUrlError("api.example.com/v1").contains("is not a valid URL"));
        assertTrue(NewProvider.baseUrlError("https://a b").contains("is not a valid URL"));
        assertTrue(NewProvider.baseUrlError("https://u:p@x.example.com/v1").contains("user name or password"));
        assertNull(NewProvider.baseUrlError("http://localhost:1234/v1"));
    }
}
