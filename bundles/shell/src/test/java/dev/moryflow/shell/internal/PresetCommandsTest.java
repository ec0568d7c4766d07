package dev.moryflow.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.Hashtable;
import java.util.List;

import org.junit.Test;

import dev.moryflow.provider.KeyState;
import dev.moryflow.provider.Preset;
import dev.moryflow.provider.ProviderInfo;
import dev.moryflow.provider.Transport;

public class PresetCommandsTest {

    private static final Preset GROQ = new Preset("groq", "Groq", "https://api.groq.com/openai/v1", null, null,
            "GROQ_API_KEY", true, false, null, null, List.of());
    private static final Preset AZURE = new Preset("azure", "Azure OpenAI",
            "https://YOUR-RESOURCE.openai.azure.com/openai/deployments/YOUR-DEPLOYMENT", "azure", "2024-10-21",
            "AZURE_OPENAI_API_KEY", true, true, null, "Replace YOUR-RESOURCE …", List.of());

    private static Hashtable<String, Object> config(Object... kv) {
        Hashtable<String, Object> h = new Hashtable<>();
        for (int i = 0; i < kv.length; i += 2) {
            h.put((String) kv[i], kv[i + 1]);
        }
        return h;
    }

    private static ProviderInfo info(KeyState key, Transport transport) {
        return new ProviderInfo("groq", "Groq", "openai", "https://api.groq.com/openai/v1", "groq", key, transport);
    }

    @Test
    public void eachStateSaysWhatThePresetNeeds() {
        Hashtable<String, Object> on = config("baseUrl", GROQ.baseUrl());
        assertEquals("ready", PresetCommands.status(GROQ, on, info(KeyState.PRESENT, Transport.HTTPS)));
        assertEquals("ready (no key needed)",
                PresetCommands.status(GROQ, on, info(KeyState.NOT_REQUIRED, Transport.LOCAL)));
        assertEquals("needs key: export GROQ_API_KEY before start, or moryflow:key-set groq",
                PresetCommands.status(GROQ, on, info(KeyState.MISSING, Transport.HTTPS)));
        assertTrue(PresetCommands.status(GROQ, null, null).startsWith("removed"));
        assertEquals("disabled (enabled = false)",
                PresetCommands.status(GROQ, config("baseUrl", GROQ.baseUrl(), "enabled", false), null));
        assertTrue(PresetCommands.status(GROQ, on, null).startsWith("refused"));
        assertTrue(PresetCommands.status(GROQ, on, info(KeyState.PRESENT, Transport.INSECURE_REFUSED))
                .contains("plain http://"));
        assertEquals("needs setup: Replace YOUR-RESOURCE …", PresetCommands.status(AZURE,
                config("baseUrl", AZURE.baseUrl(), "enabled", false), null));
    }
}
