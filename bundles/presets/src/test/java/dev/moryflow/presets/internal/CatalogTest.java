package dev.moryflow.presets.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.Test;

import dev.moryflow.provider.Capability;
import dev.moryflow.provider.ModelInfo;
import dev.moryflow.provider.Preset;

public class CatalogTest {

    private final Catalog catalog = Catalog.shipped();

    @Test
    public void shippedCatalogHasEveryPresetTheIssueNames() {
        Set<String> ids = catalog.presets().stream().map(Preset::id).collect(Collectors.toSet());
        for (String id : List.of("openai", "azure", "groq", "together", "perplexity", "lmstudio", "vllm", "ollama",
                "openrouter", "deepseek", "mistral", "gemini", "xai", "fireworks", "cerebras")) {
            assertTrue("preset " + id, ids.contains(id));
        }
        assertTrue(catalog.presets().size() >= 15);
    }

    @Test
    public void seedExampleModelsAreInTheirPresets() {
        assertModel("openai", "gpt-4");
        assertModel("openai", "gpt-3.5-turbo");
        assertModel("groq", "llama-3.1-70b-versatile");
        assertModel("groq", "mixtral-8x7b-32768");
        assertModel("together", "meta-llama/Llama-3-70b-chat-hf");
        assertModel("perplexity", "llama-3.1-sonar-large-128k-online");
    }

    private void assertModel(String preset, String model) {
        assertTrue(preset + " lists " + model, catalog.preset(preset).orElseThrow().models().stream()
                .anyMatch(m -> m.id().equals(model)));
    }

    @Test
    public void localServersNeedNoKeyAndUseTheirDefaultPorts() {
        assertEquals("http://localhost:1234/v1", catalog.preset("lmstudio").orElseThrow().baseUrl());
        assertEquals("http://localhost:8000/v1", catalog.preset("vllm").orElseThrow().baseUrl());
        assertEquals("http://localhost:11434/v1", catalog.preset("ollama").orElseThrow().baseUrl());
        for (String id : List.of("lmstudio", "vllm", "ollama")) {
            assertFalse(id, catalog.preset(id).orElseThrow().keyRequired());
        }
    }

    @Test
    public void everyHostedPresetNamesTheEnvironmentVariableItsUsersKeepTheKeyIn() {
        for (Preset p : catalog.presets()) {
            if (p.keyRequired()) {
                assertNotNull(p.id(), p.apiKeyEnv());
                assertTrue(p.id(), p.apiKeyEnv().endsWith("_API_KEY"));
            }
            assertNotNull(p.id() + " docs", p.docsUrl());
            assertNotNull(p.id() + " setup", p.setup());
        }
        assertEquals("GROQ_API_KEY", catalog.preset("groq").orElseThrow().apiKeyEnv());
        assertEquals("OPENAI_API_KEY", catalog.preset("openai").orElseThrow().apiKeyEnv());
    }

    @Test
    public void azureIsATemplateWithApiVersionAndTheAzureDialect() {
        Preset azure = catalog.preset("azure").orElseThrow();
        assertTrue(azure.template());
        assertEquals("azure", azure.dialect());
        assertNotNull(azure.apiVersion());
        assertTrue(azure.baseUrl().contains("/openai/deployments/"));
    }

    @Test
    public void modelMetadataHasLimitsAndCapabilities() {
        ModelInfo m = catalog.model("openai", "gpt-4o").orElseThrow();
        assertEquals("GPT-4o", m.displayName());
        assertEquals(128000, m.contextWindow());
        assertTrue(m.has(Capability.VISION));
        assertTrue(m.has(Capability.TOOLS));
        assertFalse(catalog.model("openai", "gpt-4").orElseThrow().has(Capability.VISION));
        for (Preset p : catalog.presets()) {
            for (ModelInfo mi : p.models()) {
                assertTrue(p.id() + "/" + mi.id() + " context window", mi.contextWindow() > 0);
            }
        }
    }

    @Test
    public void aModelIdKnownInAnyPresetIsFoundForCustomProviders() {
        assertEquals(128000, catalog.model(null, "gpt-4o").orElseThrow().contextWindow());
        assertEquals(128000, catalog.model("my-company", "gpt-4o").orElseThrow().contextWindow());
        assertFalse(catalog.model(null, "my-own-model").isPresent());
    }

    @Test
    public void aBrokenCatalogNamesThePresetAndField() {
        expectFault("{\"presets\":[{\"id\":\"x\",\"name\":\"X\"}]}", "preset x: baseUrl");
        expectFault("{\"presets\":[{\"id\":\"x\",\"name\":\"X\",\"baseUrl\":\"ftp://h/\"}]}", "preset x: baseUrl");
        expectFault("{\"presets\":[{\"id\":\"x\",\"name\":\"X\",\"baseUrl\":\"https://h/v1\",\"models\":"
                + "[{\"id\":\"m\",\"capabilities\":[\"telepathy\"]}]}]}", "preset x model m: capability \"telepathy\"");
        expectFault("{\"presets\":[{\"id\":\"x\",\"name\":\"X\",\"baseUrl\":\"https://h/v1\",\"models\":"
                + "[{\"id\":\"m\",\"contextWindow\":-5}]}]}", "preset x model m: contextWindow");
        expectFault("{\"presets\":[]}", "no presets");
        expectFault("{\"presets\":", "not valid JSON");
    }

    private static void expectFault(String json, String expected) {
        try {
            Catalog.parse(json);
            fail("accepted " + json);
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains(expected));
        }
    }
}
