package dev.moryflow.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Instant;
import java.util.List;

import org.junit.Test;

import dev.moryflow.credentials.CredentialMetadata;

public class KeyCommandsTest {

    private static final Instant NOW = Instant.parse("2026-11-25T00:00:00Z");

    @Test
    public void listShowsAgeAndWarnsWhenDueForRotation() {
        CredentialMetadata fresh = new CredentialMetadata("groq", Instant.parse("2026-11-20T00:00:00Z"), null,
                "sha256:1a2b3c4d", List.of());
        CredentialMetadata old = new CredentialMetadata("openai", Instant.parse("2026-01-01T00:00:00Z"),
                Instant.parse("2026-06-01T00:00:00Z"), "sha256:99aa88bb", List.of("sha256:00112233"));
        String s = KeyCommands.keys(List.of(fresh, old), 90, NOW);
        assertTrue(s, s.contains("groq    sha256:1a2b3c4d  -        2026-11-20  never       5 d    ok"));
        assertTrue(s, s.contains("openai  sha256:99aa88bb  -        2026-01-01  2026-06-01  177 d  rotate: older than 90 days"));
    }

    @Test
    public void emptyListSaysHowToStoreAKey() {
        assertEquals("No keys stored. Store one with `moryflow:key-set <provider>`.\n",
                KeyCommands.keys(List.of(), 90, NOW));
    }
}
