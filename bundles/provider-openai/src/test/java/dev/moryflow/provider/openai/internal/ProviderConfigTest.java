package dev.moryflow.provider.openai.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.junit.Test;

import dev.moryflow.provider.ProviderService;
import dev.moryflow.provider.Transport;

public class ProviderConfigTest {

    static Map<String, Object> cfg(String id, Object... kv) {
        Map<String, Object> m = new HashMap<>();
        m.put("service.pid", "moryflow.provider.openai~" + id);
        m.put("service.factoryPid", "moryflow.provider.openai");
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static InvalidConfigurationException refused(Map<String, Object> m) {
        try {
            ProviderConfig.parse(m);
        } catch (InvalidConfigurationException e) {
            return e;
        }
        fail("expected the configuration to be refused: " + m);
        return null;
    }

    @Test
    public void groqExampleFromTheSeedIsUnderstood() throws Exception {
        ProviderConfig c = ProviderConfig.parse(cfg("groq", "name", "Groq", "baseUrl",
                "https://api.groq.com/openai/v1", "models", "llama-3.1-70b-versatile, mixtral-8x7b-32768"));
        assertEquals("groq", c.id());
        assertEquals(List.of("llama-3.1-70b-versatile", "mixtral-8x7b-32768"), c.models());
        assertEquals("https://api.groq.com/openai/v1/chat/completions", c.chatUrl().toString());
        assertEquals("https://api.groq.com/openai/v1/models", c.modelsUrl().toString());
        assertEquals("openai", c.protocol());
        assertFalse(c.local());
        assertTrue(c.enabled());
        assertNull("0 = the shared client's timeout", c.timeout());
    }

    @Test
    public void trailingSlashOnTheBaseUrlIsTolerated() throws Exception {
        ProviderConfig c = ProviderConfig.parse(cfg("t", "baseUrl", "https://api.together.xyz/v1/"));
        assertEquals("https://api.together.xyz/v1/chat/completions", c.chatUrl().toString());
        assertEquals("https://api.together.xyz/v1", c.displayBaseUrl());
        ProviderConfig noPath = ProviderConfig.parse(cfg("p", "baseUrl", "https://api.perplexity.ai"));
        assertEquals("https://api.perplexity.ai/chat/completions", noPath.chatUrl().toString());
    }

    @Test
    public void servicePropertiesFollowTheDesign() throws Exception {
        Hashtable<String, Object> p = ProviderConfig.parse(cfg("groq", "name", "Groq", "baseUrl",
                "https://api.groq.com/openai/v1", "models", new String[] { "a", "b, c", "a" }, "preset", "groq",
                "service.ranking", "5", "apiKey", "sk-must-not-appear")).serviceProperties();
        assertEquals("groq", p.get(ProviderService.PROVIDER_ID));
        assertEquals("Groq", p.get(ProviderService.PROVIDER_NAME));
        assertEquals("openai", p.get(ProviderService.PROVIDER_PROTOCOL));
        assertArrayEquals(new String[] { "a", "b", "c" }, (String[]) p.get(ProviderService.PROVIDER_MODELS));
        assertEquals("groq", p.get(ProviderService.PROVIDER_PRESET));
        assertEquals(5, p.get("service.ranking"));
        assertEquals("the configuration it was made from", "moryflow.provider.openai~groq", p.get("service.pid"));
        assertEquals(7, p.size());
        assertFalse(p.toString().contains("sk-must-not-appear"));

        Hashtable<String, Object> custom = ProviderConfig.parse(cfg("x", "baseUrl", "http://localhost:1234/v1"))
                .serviceProperties();
        assertNull("no preset property for a custom provider", custom.get(ProviderService.PROVIDER_PRESET));
        assertEquals("x", custom.get(ProviderService.PROVIDER_NAME));
        assertEquals(0, custom.get("service.ranking"));
    }

    @Test
    public void aGeneratedPidIsNeverAProviderItWaitsForTheIdTheCredentialsBundleGivesIt() throws Exception {
        Map<String, Object> m = new HashMap<>();
        m.put("service.pid", "moryflow.provider.openai.1f2e3d");
        m.put("service.factoryPid", "moryflow.provider.openai");
        m.put("name", "My AI Service");
        m.put("baseUrl", "https://api.example.com/v1");
        InvalidConfigurationException e = refused(m);
        assertEquals("id", e.field());
        assertTrue(e.getMessage(), e.getMessage().contains("no provider id yet"));
    }

    @Test
    public void azureDialectBuildsItsUrlAndDefaultsTheModelToTheDeployment() throws Exception {
        ProviderConfig c = ProviderConfig.parse(cfg("az", "dialect", "azure", "apiVersion", "2024-10-21", "baseUrl",
                "https://myres.openai.azure.com/openai/deployments/gpt4o-prod"));
        assertEquals("azure", c.protocol());
        assertEquals("https://myres.openai.azure.com/openai/deployments/gpt4o-prod/chat/completions"
                + "?api-version=2024-10-21", c.chatUrl().toString());
        assertEquals(List.of("gpt4o-prod"), c.models());
        ProviderConfig inQuery = ProviderConfig.parse(cfg("az2", "dialect", "AZURE", "baseUrl",
                "https://r.openai.azure.com/openai/deployments/d?api-version=2024-06-01"));
        assertEquals("https://r.openai.azure.com/openai/deployments/d/chat/completions?api-version=2024-06-01",
                inQuery.chatUrl().toString());
    }

    @Test
    public void loopbackHostsNeedNoKey() throws Exception {
        for (String url : new String[] { "http://localhost:1234/v1", "http://127.0.0.1:8000/v1", "http://[::1]:8000/v1",
                "http://lmstudio.localhost/v1" }) {
            assertTrue(url, ProviderConfig.parse(cfg("l", "baseUrl", url)).local());
        }
        for (String url : new String[] { "https://api.example.com/v1", "http://127.example.com/v1",
                "http://192.168.1.5:8000/v1" }) {
            assertFalse(url, ProviderConfig.parse(cfg("r", "baseUrl", url)).local());
        }
    }

    @Test
    public void plainHttpToAnotherMachineIsRefusedUnlessAllowedAndAlwaysFlagged() throws Exception {
        assertEquals(Transport.HTTPS, ProviderConfig.parse(cfg("a", "baseUrl", "https://api.example.com/v1"))
                .transport());
        assertEquals(Transport.LOCAL, ProviderConfig.parse(cfg("b", "baseUrl", "http://localhost:1234/v1"))
                .transport());
        assertEquals(Transport.INSECURE_REFUSED, ProviderConfig.parse(cfg("c", "baseUrl",
                "http://192.168.1.5:8000/v1")).transport());
        assertEquals(Transport.INSECURE_ALLOWED, ProviderConfig.parse(cfg("d", "baseUrl",
                "http://gpu-box.lab:8000/v1", "allowInsecure", "true")).transport());
        assertTrue(Transport.INSECURE_ALLOWED.insecure());
        try {
            ProviderConfig.parse(cfg("e", "baseUrl", "http://gpu-box.lab/v1", "allowInsecure", "yes please"));
            fail("accepted a non-boolean allowInsecure");
        } catch (InvalidConfigurationException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("allowInsecure = true or allowInsecure = false"));
        }
    }

    @Test
    public void stringValuesFromCfgFilesAreRead() throws Exception {
        ProviderConfig c = ProviderConfig.parse(cfg("s", "baseUrl", "http://localhost:1/v1", "timeoutSeconds", "300",
                "enabled", "true", "headers", "X-Team: research\nX-Env:  prod "));
        assertEquals(300, c.timeoutSeconds());
        assertEquals("research", c.headers().get("X-Team"));
        assertEquals("prod", c.headers().get("X-Env"));
        assertFalse(c.customAuth());
        assertTrue(ProviderConfig.parse(cfg("s", "baseUrl", "http://localhost:1/v1", "headers",
                new String[] { "Authorization: Bearer abc" })).customAuth());
    }

    // ------------------------------------------------------------------ refusals: field, fault, fix

    @Test
    public void missingBaseUrlIsRefused() {
        InvalidConfigurationException e = refused(cfg("nourl", "name", "No URL"));
        assertEquals("baseUrl", e.field());
        assertEquals("baseUrl is missing: set it to the API endpoint, for example baseUrl = "
                + "https://api.example.com/v1 (it usually ends with /v1)", e.getMessage());
        assertEquals("baseUrl", refused(cfg("blank", "baseUrl", "   ")).field());
    }

    @Test
    public void unparsableOrNonHttpBaseUrlIsRefused() {
        InvalidConfigurationException e = refused(cfg("broken", "baseUrl", "not a url"));
        assertTrue(e.getMessage(), e.getMessage().startsWith("baseUrl \"not a url\" is not a valid URL: write the "
                + "full address with http:// or https://"));
        InvalidConfigurationException ftp = refused(cfg("ftp", "baseUrl", "ftp://files.example.com/v1"));
        assertTrue(ftp.getMessage(), ftp.getMessage().contains("uses ftp://: only http:// and https:// are supported"));
        InvalidConfigurationException noScheme = refused(cfg("ns", "baseUrl", "api.example.com/v1"));
        assertTrue(noScheme.getMessage(), noScheme.getMessage().contains("http:// or https://"));
    }

    @Test
    public void credentialsInTheBaseUrlAreRefusedWithoutBeingRepeated() {
        InvalidConfigurationException e = refused(cfg("u", "baseUrl", "https://bob:hunter22@api.example.com/v1"));
        assertEquals("baseUrl", e.field());
        assertFalse(e.getMessage().contains("hunter22"));
    }

    @Test
    public void invalidProviderIdIsRefused() {
        InvalidConfigurationException e = refused(cfg("my provider", "baseUrl", "https://api.example.com/v1"));
        assertEquals("id", e.field());
        assertTrue(e.getMessage(), e.getMessage().contains("is not valid") && e.getMessage().contains("groq"));
    }

    @Test
    public void headerLineWithoutColonIsRefusedWithoutShowingIt() {
        InvalidConfigurationException e = refused(cfg("h", "baseUrl", "https://api.example.com/v1", "headers",
                new String[] { "X-Ok: 1", "Bearer sk-secret-token" }));
        assertEquals("headers", e.field());
        assertEquals("headers line 2 has no name before a ':': write each header as Name: value, for example "
                + "X-Team: research", e.getMessage());
        InvalidConfigurationException name = refused(cfg("h", "baseUrl", "https://api.example.com/v1", "headers",
                "Bad Name: x"));
        assertTrue(name.getMessage(), name.getMessage().contains("\"Bad Name\" is not a valid header name"));
    }

    @Test
    public void unknownDialectIsRefused() {
        InvalidConfigurationException e = refused(cfg("d", "baseUrl", "https://api.example.com/v1", "dialect",
                "anthropic"));
        assertEquals("dialect", e.field());
        assertEquals("dialect \"anthropic\" is unknown: use openai (most services) or azure (Azure OpenAI)",
                e.getMessage());
    }

    @Test
    public void azureWithoutApiVersionIsRefused() {
        InvalidConfigurationException e = refused(cfg("az", "dialect", "azure", "baseUrl",
                "https://myres.openai.azure.com/openai/deployments/d"));
        assertEquals("apiVersion", e.field());
        assertTrue(e.getMessage(), e.getMessage().contains("set apiVersion"));
    }

    @Test
    public void negativeOrNonNumericTimeoutIsRefused() {
        InvalidConfigurationException e = refused(cfg("t", "baseUrl", "https://api.example.com/v1", "timeoutSeconds",
                -1));
        assertEquals("timeoutSeconds", e.field());
        assertTrue(e.getMessage(), e.getMessage().startsWith("timeoutSeconds is -1, which is negative"));
        InvalidConfigurationException text = refused(cfg("t", "baseUrl", "https://api.example.com/v1",
                "timeoutSeconds", "slow"));
        assertTrue(text.getMessage(), text.getMessage().contains("is not a whole number"));
    }

    @Test
    public void keyPastedIntoApiKeyEnvIsRefusedWithoutRepeatingIt() {
        InvalidConfigurationException e = refused(cfg("k", "baseUrl", "https://api.example.com/v1", "apiKeyEnv",
                "sk-abc123-secret-value"));
        assertEquals("apiKeyEnv", e.field());
        assertFalse(e.getMessage().contains("sk-abc123"));
    }

    @Test
    public void enabledMustBeABoolean() {
        assertEquals("enabled", refused(cfg("e", "baseUrl", "https://api.example.com/v1", "enabled", "maybe"))
                .field());
    }
}
