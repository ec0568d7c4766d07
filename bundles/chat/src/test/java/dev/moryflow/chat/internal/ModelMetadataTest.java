package dev.moryflow.chat.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.Test;

import dev.moryflow.provider.Capability;
import dev.moryflow.provider.ModelInfo;
import dev.moryflow.provider.Preset;
import dev.moryflow.provider.PresetCatalog;

public class ModelMetadataTest {

    /** A catalog that knows groq/llama-big (128k, tools) and, in any preset, gpt-x (vision). */
    static final PresetCatalog CATALOG = new PresetCatalog() {
        @Override
        public List<Preset> presets() {
            return List.of();
        }

        @Override
        public Optional<Preset> preset(String presetId) {
            return Optional.empty();
        }

        @Override
        public Optional<ModelInfo> model(String presetId, String modelId) {
            if ("groq".equals(presetId) && "llama-big".equals(modelId)) {
                return Optional.of(new ModelInfo("llama-big", "Llama Big", 128000, 8000,
                        EnumSet.of(Capability.CHAT, Capability.TOOLS)));
            }
            if ("gpt-x".equals(modelId)) {
                return Optional.of(new ModelInfo("gpt-x", "GPT X", 64000, 4000,
                        EnumSet.of(Capability.CHAT, Capability.VISION)));
            }
            return Optional.empty();
        }
    };

    static ModelConfig config(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return ModelConfig.parse("moryflow.model~test", m);
    }

    @Test
    public void theCatalogDescribesAPresetsModelAndAnIdKnownAnywhere() {
        ModelMetadata.Described d = new ModelMetadata(CATALOG, List.of()).describe("groq", "groq",
                List.of(ModelInfo.of("llama-big"), ModelInfo.of("gpt-x"), ModelInfo.of("own-model")));
        assertEquals("Llama Big", d.models.get(0).displayName());
        assertEquals(128000, d.models.get(0).contextWindow());
        assertEquals("GPT X", d.models.get(1).displayName());
        assertEquals(ModelInfo.of("own-model"), d.models.get(2));
        assertTrue(d.described.get("llama-big"));
        assertFalse("a bare id is not described", d.described.get("own-model"));
    }

    @Test
    public void aModelConfigurationOverridesTheCatalogFieldByField() {
        ModelConfig c = config("provider", "groq", "id", "llama-big", "contextWindow", "32000",
                "capabilities", new String[] { "chat", "vision" });
        ModelInfo m = new ModelMetadata(CATALOG, List.of(c)).describe("groq", "groq",
                List.of(ModelInfo.of("llama-big"))).models.get(0);
        assertEquals("display name kept from the catalog", "Llama Big", m.displayName());
        assertEquals(32000, m.contextWindow());
        assertEquals("max output kept from the catalog", 8000, m.maxOutputTokens());
        assertEquals(EnumSet.of(Capability.CHAT, Capability.VISION), m.capabilities());
    }

    @Test
    public void aModelConfigurationAddsAModelItsProviderDoesNotList() {
        ModelConfig c = config("provider", "myai", "id", "my-model", "displayName", "My Model",
                "contextWindow", 4096, "capabilities", "chat, tools");
        ModelMetadata.Described d = new ModelMetadata(null, List.of(c)).describe("myai", null,
                List.of(ModelInfo.of("gpt-4")));
        assertEquals(2, d.models.size());
        assertEquals("My Model", d.models.get(1).displayName());
        assertEquals(4096, d.models.get(1).contextWindow());
        assertTrue(d.models.get(1).has(Capability.TOOLS));
        assertTrue(d.described.get("my-model"));
        ModelMetadata.Described other = new ModelMetadata(null, List.of(c)).describe("groq", null, List.of());
        assertTrue("another provider does not get it", other.models.isEmpty());
    }

    @Test
    public void whatTheProviderReportsWinsOverTheCatalog() {
        ModelInfo own = new ModelInfo("llama-big", "Own Name", 0, 0, null);
        ModelInfo m = new ModelMetadata(CATALOG, List.of()).describe("groq", "groq", List.of(own)).models.get(0);
        assertEquals("Own Name", m.displayName());
        assertEquals(128000, m.contextWindow());
    }

    @Test
    public void aBrokenModelConfigurationNamesTheFieldAndTheFix() {
        expect("provider is missing", "id", "m");
        expect("id is missing", "provider", "groq");
        expect("capabilities: \"telepathy\" is not a known capability tag: use chat, vision", "provider", "groq",
                "id", "m", "capabilities", "chat, telepathy");
        expect("contextWindow = \"lots\" is not a number of tokens", "provider", "groq", "id", "m", "contextWindow",
                "lots");
        expect("maxOutputTokens (9000) is larger than contextWindow (8000)", "provider", "groq", "id", "m",
                "contextWindow", 8000, "maxOutputTokens", 9000);
        expect("provider is not a provider id", "provider", "a b", "id", "m");
    }

    private static void expect(String message, Object... kv) {
        try {
            config(kv);
            fail("accepted");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith(message));
        }
    }
}
