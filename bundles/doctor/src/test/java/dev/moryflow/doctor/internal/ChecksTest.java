package dev.moryflow.doctor.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.junit.Test;

import dev.moryflow.provider.Problem;
import dev.moryflow.provider.ProviderException;

public class ChecksTest {

    private static void fails(String url, boolean azure, String apiVersion, String cause, String fix) {
        Checks.UrlVerdict v = Checks.baseUrl(url, azure, apiVersion);
        assertTrue(url + " should fail", v.failed);
        assertTrue(v.cause, v.cause.contains(cause));
        assertTrue(v.fix, v.fix.contains(fix));
    }

    @Test
    public void baseUrlShapes() {
        fails(null, false, null, "baseUrl is missing", "https://api.example.com/v1");
        fails("api.groq.com/openai/v1", false, null, "has no scheme", "https://api.groq.com/openai/v1");
        fails("ws://api.example.com/v1", false, null, "wrong scheme", "https://");
        fails("https://api.groq.com/openai/v1/chat/completions", false, null, "endpoint path /chat/completions",
                "baseUrl = https://api.groq.com/openai/v1 ");
        fails("https://api.together.xyz/v1/completions", false, null, "endpoint path /completions",
                "baseUrl = https://api.together.xyz/v1 ");
        fails("https://api.example.com/v1/models/", false, null, "endpoint path /models",
                "baseUrl = https://api.example.com/v1 ");
        fails("https://res.openai.azure.com/openai/deployments/gpt4o", false, null, "Azure OpenAI address",
                "dialect = azure");
        fails("https://res.openai.azure.com/openai", true, "2024-10-21", "has no deployment",
                "https://res.openai.azure.com/openai/deployments/{deployment-name}");
        fails("https://res.openai.azure.com/openai/deployments/gpt4o", true, null, "has no api-version",
                "apiVersion = ");
        assertFalse(Checks.baseUrl("https://res.openai.azure.com/openai/deployments/gpt4o?api-version=2024-10-21",
                true, null).failed);

        Checks.UrlVerdict slash = Checks.baseUrl("https://api.groq.com/openai/v1/", false, null);
        assertTrue(slash.warning());
        assertTrue(slash.fix, slash.fix.contains("baseUrl = https://api.groq.com/openai/v1."));

        Checks.UrlVerdict fine = Checks.baseUrl("https://api.perplexity.ai", false, null);
        assertFalse(fine.failed || fine.warning());
        assertNotNull(fine.url);
    }

    @Test
    public void secretsInAUrlAreNotShown() {
        Checks.UrlVerdict v = Checks.baseUrl("htps//api.example.com/v1?api_key=sk-abcdefghijklmnop", false, null);
        assertTrue(v.failed);
        assertFalse(v.cause, v.cause.contains("sk-abcdefghijklmnop"));
    }

    @Test
    public void versionSegment() {
        assertTrue(Checks.hasVersionSegment(okhttp3.HttpUrl.get("https://api.groq.com/openai/v1")));
        assertTrue(Checks.hasVersionSegment(okhttp3.HttpUrl.get("https://x.googleapis.com/v1beta/openai")));
        assertFalse(Checks.hasVersionSegment(okhttp3.HttpUrl.get("https://api.perplexity.ai")));
    }

    @Test
    public void didYouMean() {
        List<String> ids = List.of("llama-3.1-70b-versatile", "llama-3.1-8b-instant", "mixtral-8x7b-32768",
                "gemma2-9b-it");
        assertEquals("llama-3.1-70b-versatile", Checks.closest("llama-3.1-70b-versatil", ids, 3).get(0));
        assertEquals("mixtral-8x7b-32768", Checks.closest("Mixtral-8x7b", ids, 3).get(0));
        assertTrue(Checks.closest("completely-different-name-xyz", ids, 3).isEmpty());
    }

    @Test
    public void regionIsToldApartFromForbidden() {
        ProviderException region = new ProviderException(Problem.PERMISSION, "the provider refused access: the key "
                + "is not allowed to do this, or the region is restricted (HTTP 403): Country, region, or territory "
                + "not supported", null, 403, "unsupported_country_region_territory", null, null);
        ProviderException forbidden = new ProviderException(Problem.PERMISSION, "the provider refused access: the "
                + "key is not allowed to do this, or the region is restricted (HTTP 403): Missing scopes: api.read",
                null, 403, "insufficient_permissions", null, null);
        ProviderException legal = new ProviderException(Problem.PERMISSION, "the provider does not offer this "
                + "service in your region (HTTP 451)", null, 451, null, null, null);
        ProviderException gemini = new ProviderException(Problem.PERMISSION, "x (HTTP 403): User location is not "
                + "supported for the API use.", null, 403, "FAILED_PRECONDITION", null, null);
        assertTrue(Checks.isRegional(region));
        assertFalse(Checks.isRegional(forbidden));
        assertTrue(Checks.isRegional(legal));
        assertTrue(Checks.isRegional(gemini));
    }

    @Test
    public void localServerFixNamesTheServer() {
        assertTrue(Checks.localServerFix(1234, null).startsWith("Is LM Studio's server started on port 1234?"));
        assertTrue(Checks.localServerFix(11434, null).contains("ollama serve"));
        assertTrue(Checks.localServerFix(8000, null).contains("vllm serve"));
        assertTrue(Checks.localServerFix(9999, "lmstudio").contains("LM Studio"));
        assertTrue(Checks.localServerFix(9999, null).contains("port 9999"));
        assertTrue(Checks.isLoopback("localhost") && Checks.isLoopback("127.0.0.1") && !Checks.isLoopback("10.0.0.1"));
    }
}
