package dev.moryflow.provider.openai.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import dev.moryflow.http.ConnectionSettings;
import dev.moryflow.provider.ChatRequest;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;

/**
 * A provider's own connection settings ({@code caCertificates}, {@code clientCertificate}, {@code clientKey},
 * {@code proxy}): read with its configuration, refused there naming the field, and used for the client of every
 * request (chat, stream, models).
 */
public class OpenAiProviderConnectionTest {

    private static final String BAD_PEM = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----";

    private MockWebServer server;
    private final Fakes.Http http = new Fakes.Http();

    @Before
    public void setUp() throws IOException {
        server = new MockWebServer();
        server.start();
    }

    @After
    public void tearDown() {
        server.close();
    }

    private OpenAiProvider provider(Object... kv) throws InvalidConfigurationException {
        Map<String, Object> m = ProviderConfigTest.cfg("internal", kv);
        m.putIfAbsent("baseUrl", server.url("/v1/").toString());
        return new OpenAiProvider(new Fakes.Store(), http, k -> null, new OpenAiCodec(), ProviderConfig.parse(m));
    }

    @Test
    public void everyPathUsesTheProvidersOwnConnectionSettings() throws Exception {
        OpenAiProvider p = provider("proxy", "direct", "models", "m");
        ConnectionSettings own = p.config().connection();
        assertSame(Proxy.NO_PROXY, own.proxy());
        server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "application/json")
                .body("{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"ok\"}}]}").build());
        assertEquals("ok", p.chat(ChatRequest.of("m", "hi")).content());
        server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "text/event-stream")
                .body("data: {\"choices\":[{\"delta\":{\"content\":\"ok\"}}]}\n\ndata: [DONE]\n\n").build());
        Fakes.Listener listener = new Fakes.Listener();
        p.stream(ChatRequest.of("m", "hi"), listener);
        assertTrue("the stream did not end", listener.end.await(10, TimeUnit.SECONDS));
        server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "application/json")
                .body("{\"data\":[{\"id\":\"m\"}]}").build());
        p.listRemoteModels();
        assertEquals("chat, stream and models each asked for the provider's client", List.of(own, own, own),
                http.settings);
    }

    @Test
    public void noSettingsMeanTheHubsClient() throws Exception {
        OpenAiProvider p = provider();
        assertSame(ConnectionSettings.HUB, p.config().connection());
        assertFalse(p.config().toString(), p.config().toString().contains("proxy"));
    }

    @Test
    public void providerProxyIsRead() throws Exception {
        ConnectionSettings s = provider("proxy", "http://team-proxy:3128").config().connection();
        InetSocketAddress a = (InetSocketAddress) s.proxy().address();
        assertEquals("team-proxy", a.getHostString());
        assertEquals(3128, a.getPort());
    }

    @Test
    public void badConnectionSettingsRefuseTheConfigurationNamingTheField() {
        InvalidConfigurationException missing = ProviderConfigTest.refused(ProviderConfigTest.cfg("internal",
                "baseUrl", "https://llm.internal.example/v1", "caCertificates", "/etc/nowhere/company-ca.pem"));
        assertEquals("caCertificates", missing.field());
        assertTrue(missing.getMessage(), missing.getMessage().contains("/etc/nowhere/company-ca.pem does not exist"));

        InvalidConfigurationException broken = ProviderConfigTest.refused(ProviderConfigTest.cfg("internal",
                "baseUrl", "https://llm.internal.example/v1", "caCertificates", BAD_PEM));
        assertEquals("caCertificates", broken.field());
        assertTrue(broken.getMessage(), broken.getMessage().contains("does not parse"));

        InvalidConfigurationException keyText = ProviderConfigTest.refused(ProviderConfigTest.cfg("internal",
                "baseUrl", "https://llm.internal.example/v1", "clientCertificate", "/etc/client.pem", "clientKey",
                "-----BEGIN PRIVATE KEY-----\nMIIEvSECRETSECRETSECRET\n-----END PRIVATE KEY-----"));
        assertEquals("clientKey", keyText.field());
        assertFalse(keyText.getMessage(), keyText.getMessage().contains("SECRET"));

        InvalidConfigurationException proxy = ProviderConfigTest.refused(ProviderConfigTest.cfg("internal",
                "baseUrl", "https://llm.internal.example/v1", "proxy", "ftp://proxy:21"));
        assertEquals("proxy", proxy.field());
        assertTrue(proxy.getMessage(), proxy.getMessage().contains("direct"));
    }
}
