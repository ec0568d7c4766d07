package dev.moryflow.config;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.Test;

public class ModelFormTest {

    @Test
    public void aGoodEntryMakesTypedProperties() {
        CheckedForm f = ModelForm.check(Map.of("provider", "groq", "id", " llama ", "displayName", "Llama",
                "contextWindow", "128_000", "capabilities", List.of("tools", "chat", "web_search")));
        assertTrue(f.errors().toString(), f.valid());
        assertEquals("llama", f.properties().get("id"));
        assertEquals(128000, f.properties().get("contextWindow"));
        assertArrayEquals(new String[] { "chat", "tools", "web-search" }, (String[]) f.properties().get("capabilities"));
        assertFalse(f.properties().containsKey("maxOutputTokens"));
    }

    @Test
    public void everyWrongFieldHasItsErrorInTheChatBundlesWords() {
        CheckedForm f = ModelForm.check(Map.of("provider", "no/such", "contextWindow", "lots",
                "capabilities", new String[] { "chat", "telepathy" }));
        assertFalse(f.valid());
        assertTrue(f.error("provider"), f.error("provider").startsWith("provider is not a provider id: set it"));
        assertTrue(f.error("id"), f.error("id").startsWith("id is missing"));
        assertTrue(f.error("contextWindow"), f.error("contextWindow").contains("is not a number of tokens"));
        assertTrue(f.error("capabilities"), f.error("capabilities").contains("\"telepathy\" is not a known"));
        assertEquals("provider", f.firstInvalid());
        assertEquals("chat, telepathy", f.value("capabilities"));
    }

    @Test
    public void anAnswerLongerThanTheContextWindowIsRefused() {
        CheckedForm f = ModelForm.check(Map.of("provider", "p", "id", "m", "contextWindow", 1000,
                "maxOutputTokens", 2000));
        assertEquals("maxOutputTokens (2000) is larger than contextWindow (1000): the answer is part of the context "
                + "window; set maxOutputTokens to at most 1000", f.firstError());
    }

    @Test
    public void capabilitiesAreReadBackFromTags() {
        assertNull(ModelForm.capabilities(null));
        assertEquals(2, ModelForm.capabilities(new String[] { "chat", "vision" }).size());
    }
}
