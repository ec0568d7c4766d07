package dev.moryflow.credentials;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import org.junit.Test;

public class OriginsTest {

    @Test
    public void anOriginIsSchemeHostAndPortWithoutDefaultPortsOrPaths() {
        assertEquals("https://api.groq.com", Origins.of("https://api.groq.com/openai/v1"));
        assertEquals("https://api.groq.com", Origins.of("HTTPS://API.Groq.com:443/v1"));
        assertEquals("http://127.0.0.1:1234", Origins.of("http://127.0.0.1:1234/v1"));
        assertEquals("http://[::1]:8000", Origins.of("http://[::1]:8000/v1"));
        assertEquals("https://evil.example:8443", Origins.of("https://evil.example:8443/v1"));
    }

    @Test
    public void whatIsNotAnAbsoluteHttpUrlHasNoOrigin() {
        assertNull(Origins.of(null));
        assertNull(Origins.of(" "));
        assertNull(Origins.of("api.groq.com/v1"));
        assertNull(Origins.of("ftp://example.com"));
        assertNull(Origins.of("http://exa mple.com"));
    }
}
