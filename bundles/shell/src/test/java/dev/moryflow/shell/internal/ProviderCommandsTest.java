package dev.moryflow.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.Test;

import dev.moryflow.config.ModelForm;

public class ProviderCommandsTest {

    @Test
    public void nameValueArgumentsRepeatHeadersAndTagsAndKeepValuesWithSpacesAndEquals() {
        Map<String, Object> o = ProviderCommands.options(List.of("name=My AI", "header=X-Team: research",
                "header=X-Sig: a=b", "timeoutSeconds=60", "capabilities=chat", "capabilities=vision"));
        assertEquals("My AI", o.get("name"));
        assertEquals(List.of("X-Team: research", "X-Sig: a=b"), o.get("header"));
        assertEquals(List.of("chat", "vision"), o.get("capabilities"));
        assertEquals("60", o.get("timeoutSeconds"));
    }

    @Test
    public void anArgumentThatIsNotNameValueSaysHowToQuote() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProviderCommands.options(List.of("My AI")));
        assertTrue(e.getMessage(), e.getMessage().contains("quote a value with spaces"));
    }

    @Test
    public void everyWrongFieldIsOneErrorLineNamingTheField() {
        String out = ProviderCommands.errors(ModelForm.check(Map.of("provider", "p", "contextWindow", "x",
                "capabilities", "smell")));
        String[] lines = out.split("\n");
        assertEquals(out, 3, lines.length);
        assertTrue(out, lines[0].startsWith("error: id: id is missing"));
        assertTrue(out, lines[1].startsWith("error: contextWindow: contextWindow = \"x\""));
        assertTrue(out, lines[2].startsWith("error: capabilities: capabilities: \"smell\" is not a known"));
    }
}
