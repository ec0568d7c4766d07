package dev.moryflow.webconsole.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.Test;

import dev.moryflow.credentials.CredentialMetadata;
import dev.moryflow.provider.KeyState;
import dev.moryflow.provider.Preset;
import dev.moryflow.provider.ProviderInfo;
import dev.moryflow.provider.Transport;

public class ProviderRowsTest {

    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    private static final String F = "moryflow.provider.openai";

    private final Map<String, CredentialMetadata> keys = Map.of("mine",
            new CredentialMetadata("mine", NOW.minus(Duration.ofDays(3)), null, "ab12cd34", List.of(),
                    F + "~mine", "https://api.example.com", null),
            "moved", new CredentialMetadata("moved", NOW.minus(Duration.ofDays(40)), NOW.minus(Duration.ofDays(1)),
                    "ef56", List.of("0011"), F + "~moved", "https://old.example.com", "https://new.example.com"));
    private final Preset azure = new Preset("azure", "Azure OpenAI", "https://YOUR-RESOURCE.openai.azure.com", "azure",
            "2024-10-21", "AZURE_OPENAI_API_KEY", true, true, null, "Replace YOUR-RESOURCE in baseUrl.", List.of());
    private final ProviderRows rows = new ProviderRows(id -> Optional.ofNullable(keys.get(id)),
            id -> id.equals("azure") ? Optional.of(azure) : Optional.empty(), NOW,
            id -> id.equals("flaky") ? Optional.of("rate limited (HTTP 429)") : Optional.empty());

    private static ConfigView config(String id, Map<String, Object> props) {
        return new ConfigView(F + "~" + id, F, props);
    }

    private static ProviderRows.Registered registered(String id, String preset, KeyState key, Transport t,
            String heldFrom, String... models) {
        return new ProviderRows.Registered(new ProviderInfo(id, id.toUpperCase(), "openai", "https://" + id
                + ".example.com/v1", preset, key, t, heldFrom), List.of(models));
    }

    private ProviderRow row(List<ProviderRow> all, String id) {
        return all.stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    public void everyStatusInTheUsersWords() {
        List<ProviderRow> all = rows.rows(List.of(
                registered("mine", null, KeyState.PRESENT, Transport.HTTPS, null, "gpt-4"),
                registered("local", null, KeyState.NOT_REQUIRED, Transport.LOCAL, null, "llama"),
                registered("groq", "groq", KeyState.MISSING, Transport.HTTPS, null),
                registered("moved", null, KeyState.HELD, Transport.HTTPS, "https://old.example.com"),
                registered("far", null, KeyState.MISSING, Transport.INSECURE_REFUSED, null)),
                List.of(config("mine", Map.of("name", "MINE")), config("groq", Map.of("apiKeyEnv", "GROQ_API_KEY")),
                        config("moved", Map.of()), config("far", Map.of()),
                        config("azure", Map.of("preset", "azure", "enabled", false, "name", "Azure OpenAI")),
                        config("bad id", Map.of("baseUrl", "https://user:pw@x.example.com/v1")),
                        config("broken", Map.of("name", "Broken"))),
                List.of(new ConfigView("moryflow.model~a", "moryflow.model", Map.of("provider", "mine", "id", "gpt-4")),
                        new ConfigView("moryflow.model~b", "moryflow.model", Map.of("provider", "mine", "id", "o1"))));

        ProviderRow mine = row(all, "mine");
        assertEquals("ready", mine.status());
        assertEquals("fingerprint ab12cd34, stored 3 days ago", mine.key());
        assertTrue(mine.hasKey() && mine.keyable());
        assertEquals(2, mine.modelEntries());
        assertEquals("a model entry the provider does not list is routed to it, so it is shown with its models",
                List.of("gpt-4", "o1"), mine.models());

        assertEquals("ready (no key needed)", row(all, "local").status());
        assertEquals("none needed", row(all, "local").key());

        ProviderRow groq = row(all, "groq");
        assertEquals("needs key: set it here, or export GROQ_API_KEY before starting the hub", groq.status());
        assertEquals("groq", groq.preset());
        assertFalse(groq.hasKey());

        ProviderRow moved = row(all, "moved");
        assertTrue(moved.status(), moved.status().startsWith(
                "key held: base URL moved from https://old.example.com to https://moved.example.com"));
        assertTrue(moved.held());
        assertEquals("fingerprint ef56, rotated 1 day ago", moved.key());

        assertTrue(row(all, "far").status().startsWith("refused: plain http:// to another machine"));

        ProviderRow az = row(all, "azure");
        assertEquals("disabled", az.status());
        assertEquals("Replace YOUR-RESOURCE in baseUrl.", az.hint());

        ProviderRow bad = row(all, "bad id");
        assertTrue(bad.status(), bad.status().startsWith("refused: the provider id \"bad id\" is not valid"));
        assertEquals("https://x.example.com/v1", bad.baseUrl());
        assertFalse("no key can be set for an invalid id", bad.keyable());

        assertTrue(row(all, "broken").status().startsWith("refused: the configuration was not accepted"));
        assertNull(row(all, "broken").preset());
    }

    @Test
    public void aProviderWhoseLastChatFailedSaysSoUntilOneCompletes() {
        List<ProviderRow> all = rows.rows(List.of(registered("flaky", null, KeyState.PRESENT, Transport.HTTPS, null),
                registered("fine", null, KeyState.PRESENT, Transport.HTTPS, null)), List.of(), List.of());
        assertEquals("failing: rate limited (HTTP 429)", all.get(1).status());
        assertEquals("warn", all.get(1).level());
        assertEquals("ready", all.get(0).status());
    }

    @Test
    public void customProvidersComeBeforePresets() {
        List<ProviderRow> all = rows.rows(List.of(registered("a-preset", "a-preset", KeyState.MISSING, Transport.HTTPS,
                null), registered("z-custom", null, KeyState.PRESENT, Transport.HTTPS, null)), List.of(), List.of());
        assertEquals(List.of("z-custom", "a-preset"), all.stream().map(ProviderRow::id).toList());
    }

    @Test
    public void aDeployFileIsNamed() {
        List<ProviderRow> all = rows.rows(List.of(), List.of(config("filed", Map.of("enabled", "false",
                "felix.fileinstall.filename", "file:/opt/moryflow/deploy/moryflow.provider.openai-filed.cfg"))),
                List.of());
        assertEquals("deploy/moryflow.provider.openai-filed.cfg", all.get(0).file());
    }
}
