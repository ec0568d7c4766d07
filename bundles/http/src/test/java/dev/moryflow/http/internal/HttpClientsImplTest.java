package dev.moryflow.http.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotSame;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.After;
import org.junit.Test;

import dev.moryflow.http.ConnectionSettings;
import dev.moryflow.http.HttpClients;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.Call;
import okhttp3.EventListener;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

public class HttpClientsImplTest {

    private HttpClientsImpl clients;

    @After
    public void tearDown() {
        if (clients != null) {
            clients.deactivate();
        }
    }

    private static int refusedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    public void defaultsAndDispatcherSizedForAGateway() {
        clients = new HttpClientsImpl(Map.of());
        OkHttpClient c = clients.client();
        assertEquals(10_000, c.connectTimeoutMillis());
        assertEquals(120_000, c.readTimeoutMillis());
        assertEquals("no ceiling per host", Integer.MAX_VALUE, c.dispatcher().getMaxRequestsPerHost());
        assertEquals("no ceiling", Integer.MAX_VALUE, c.dispatcher().getMaxRequests());
        assertFalse("redirects are reported, not followed", c.followRedirects());
        assertFalse("one connection attempt at a time: no task queue per call", c.fastFallback());
        assertNull(c.proxy());
    }

    @Test
    public void derivedClientsShareThePoolAndAreCachedPerTimeout() {
        clients = new HttpClientsImpl(Map.of());
        OkHttpClient base = clients.client();
        OkHttpClient slow = clients.client(Duration.ofSeconds(600));
        assertEquals(600_000, slow.readTimeoutMillis());
        assertSame(base.connectionPool(), slow.connectionPool());
        assertSame(base.dispatcher(), slow.dispatcher());
        assertSame(slow, clients.client(Duration.ofSeconds(600)));
        assertSame(base, clients.client(null));
        assertSame(base, clients.client(Duration.ofSeconds(120)));
    }

    @Test
    public void configurationChangeSwapsTheClientAndLeavesTheOldOneIntact() {
        clients = new HttpClientsImpl(Map.of());
        OkHttpClient before = clients.client();
        OkHttpClient derivedBefore = clients.client(Duration.ofSeconds(30));
        clients.modified(Map.of(HttpClients.PROP_READ_TIMEOUT, "45", HttpClients.PROP_CONNECT_TIMEOUT, 3,
                HttpClients.PROP_PROXY, "http://proxy.example:3128"));
        OkHttpClient after = clients.client();
        assertNotSame(before, after);
        assertEquals(120_000, before.readTimeoutMillis());
        assertEquals(45_000, after.readTimeoutMillis());
        assertEquals(3_000, after.connectTimeoutMillis());
        assertEquals(new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved("proxy.example", 3128)),
                after.proxy());
        assertSame(before.connectionPool(), after.connectionPool());
        assertSame(before.dispatcher(), after.dispatcher());
        OkHttpClient derivedAfter = clients.client(Duration.ofSeconds(30));
        assertNotSame("derived clients follow the new settings", derivedBefore, derivedAfter);
        assertEquals(after.proxy(), derivedAfter.proxy());
    }

    private static int connectAttempts(OkHttpClient client, String url) {
        AtomicInteger attempts = new AtomicInteger();
        OkHttpClient counting = client.newBuilder().eventListener(new EventListener() {
            @Override
            public void connectStart(Call call, InetSocketAddress address, Proxy proxy) {
                attempts.incrementAndGet();
            }
        }).build();
        try {
            counting.newCall(new Request.Builder().url(url).build()).execute().close();
            fail("expected a connection failure");
        } catch (IOException expected) {
            // counted
        }
        return attempts.get();
    }

    @Test
    public void connectionFailuresAreRetriedAsConfigured() throws IOException {
        String url = "http://127.0.0.1:" + refusedPort() + "/v1/models";
        clients = new HttpClientsImpl(Map.of());
        int once = connectAttempts(clients.client(), url);
        assertTrue(once >= 1);
        clients.modified(Map.of(HttpClients.PROP_RETRIES, 2));
        assertEquals(3 * once, connectAttempts(clients.client(), url));
        assertEquals("derived clients keep the policy", 3 * once,
                connectAttempts(clients.client(Duration.ofSeconds(7)), url));
    }

    @Test
    public void postThatReachedTheServerIsNeverSentTwice() throws Exception {
        try (MockWebServer server = new MockWebServer()) {
            // a pooled connection that the server drops after reading the POST: OkHttp's own recovery would send
            // it again on a new connection unless the body is one-shot
            server.enqueue(new MockResponse.Builder().body("warm-up").build());
            server.enqueue(new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build());
            server.enqueue(new MockResponse.Builder().body("{\"second\":true}").build());
            server.start();
            clients = new HttpClientsImpl(Map.of(HttpClients.PROP_RETRIES, 3));
            try (Response warm = clients.client().newCall(new Request.Builder().url(server.url("/v1/models"))
                    .build()).execute()) {
                assertEquals("warm-up", warm.body().string());
            }
            server.takeRequest(5, TimeUnit.SECONDS);
            Request post = new Request.Builder().url(server.url("/v1/chat/completions"))
                    .post(RequestBody.create("{\"model\":\"m\"}", MediaType.get("application/json"))).build();
            try (Response r = clients.client().newCall(post).execute()) {
                fail("the POST was sent again and answered: " + r.code());
            } catch (IOException expected) {
                // the failure must reach the caller
            }
            RecordedRequest first = server.takeRequest(5, TimeUnit.SECONDS);
            assertEquals("{\"model\":\"m\"}", first.getBody().utf8());
            assertEquals("the POST was sent once", 2, server.getRequestCount());
        }
    }

    @Test
    public void unusableValuesFallBackToDefaultsAndSaySo() {
        HttpSettings s = HttpSettings.from(Map.of(HttpClients.PROP_CONNECT_TIMEOUT, "ten",
                HttpClients.PROP_READ_TIMEOUT, -5, HttpClients.PROP_RETRIES, 99, HttpClients.PROP_PROXY,
                "https://proxy:3128"));
        assertEquals(HttpSettings.DEFAULT_CONNECT_TIMEOUT, s.connectTimeoutSeconds());
        assertEquals(HttpSettings.DEFAULT_READ_TIMEOUT, s.readTimeoutSeconds());
        assertEquals(0, s.retries());
        assertNull(s.proxy());
        assertEquals(4, s.problems().size());
        assertTrue(s.problems().get(0), s.problems().get(0).startsWith("connectTimeoutSeconds = \"ten\" is not a whole number"));
        assertTrue(s.problems().get(1), s.problems().get(1).startsWith("readTimeoutSeconds = -5 is negative"));
        assertTrue(s.problems().get(2), s.problems().get(2).startsWith("retries = 99 is out of range"));
        assertTrue(s.problems().get(3), s.problems().get(3).contains("write http://proxy:3128"));
    }

    @Test
    public void proxyFormsAreUnderstoodAndThePasswordNeverShown() {
        HttpSettings plain = HttpSettings.from(Map.of(HttpClients.PROP_PROXY, "proxy.corp:8080"));
        assertEquals(Proxy.Type.HTTP, plain.proxy().type());
        assertEquals(8080, ((InetSocketAddress) plain.proxy().address()).getPort());

        HttpSettings socks = HttpSettings.from(Map.of(HttpClients.PROP_PROXY, "socks5://127.0.0.1:1080"));
        assertEquals(Proxy.Type.SOCKS, socks.proxy().type());

        HttpSettings auth = HttpSettings.from(Map.of(HttpClients.PROP_PROXY, "http://bob:s%40cret99@proxy:3128"));
        assertEquals("bob", auth.proxyUser());
        assertEquals("s@cret99", auth.proxyPassword());
        assertFalse(auth.toString(), auth.toString().contains("cret99"));
        assertTrue(auth.toString(), auth.toString().contains("http://***@proxy:3128"));

        HttpSettings bad = HttpSettings.from(Map.of(HttpClients.PROP_PROXY, "ftp://x:1"));
        assertNull(bad.proxy());
        assertTrue(bad.problems().get(0), bad.problems().get(0).startsWith("proxy is not usable (unknown scheme ftp"));
    }

    @Test
    public void proxyCredentialsAreSentWhenTheProxyAsksAndGivenUpWhenRefused() throws Exception {
        try (MockWebServer proxy = new MockWebServer()) {
            proxy.enqueue(new MockResponse.Builder().code(407).addHeader("Proxy-Authenticate", "Basic realm=\"x\"")
                    .build());
            proxy.enqueue(new MockResponse.Builder().code(407).addHeader("Proxy-Authenticate", "Basic realm=\"x\"")
                    .build());
            proxy.start();
            clients = new HttpClientsImpl(Map.of(HttpClients.PROP_PROXY,
                    "http://bob:pw@127.0.0.1:" + proxy.getPort()));
            try (Response r = clients.client().newCall(new Request.Builder()
                    .url("http://api.example.com/v1/models").build()).execute()) {
                assertEquals(407, r.code());
            }
            assertNull(proxy.takeRequest(5, TimeUnit.SECONDS).getHeaders().get("Proxy-Authorization"));
            assertEquals("Basic Ym9iOnB3",
                    proxy.takeRequest(5, TimeUnit.SECONDS).getHeaders().get("Proxy-Authorization"));
            assertEquals(2, proxy.getRequestCount());
        }
    }

    // ------------------------------------------------------------------------------- a provider's own settings

    private static ConnectionSettings settings(String... kv) throws Exception {
        Map<String, Object> m = new java.util.HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return ConnectionSettings.from(m);
    }

    private static String pem(String name) throws IOException {
        try (java.io.InputStream in = HttpClientsImplTest.class.getResourceAsStream("/tls/" + name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        }
    }

    @Test
    public void providerClientSharesPoolAndDispatcherAndCarriesItsTls() throws Exception {
        clients = new HttpClientsImpl(Map.of());
        ConnectionSettings ca = settings("caCertificates", pem("ca.pem"));
        OkHttpClient c = clients.client(Duration.ofSeconds(30), ca);
        OkHttpClient shared = clients.client();
        assertSame(shared.connectionPool(), c.connectionPool());
        assertSame(shared.dispatcher(), c.dispatcher());
        assertSame(ca.sslSocketFactory(), c.sslSocketFactory());
        assertNotSame(shared.sslSocketFactory(), c.sslSocketFactory());
        assertEquals(30_000, c.readTimeoutMillis());
        assertEquals(shared.interceptors(), c.interceptors());
        assertSame("cached per settings", c, clients.client(Duration.ofSeconds(30),
                settings("caCertificates", pem("ca.pem"))));
        assertNotSame("another timeout, another client", c, clients.client(Duration.ofSeconds(31), ca));
        assertNotSame("other settings, another client", c, clients.client(Duration.ofSeconds(30),
                settings("caCertificates", pem("ca2.pem"))));
    }

    @Test
    public void hubSettingsGiveTheSharedClient() {
        clients = new HttpClientsImpl(Map.of());
        assertSame(clients.client(), clients.client(null, ConnectionSettings.HUB));
        assertSame(clients.client(), clients.client(null, null));
        assertSame(clients.client(Duration.ofSeconds(5)), clients.client(Duration.ofSeconds(5),
                ConnectionSettings.HUB));
    }

    @Test
    public void providerProxyOverridesTheHubsAndDirectHasNone() throws Exception {
        clients = new HttpClientsImpl(Map.of(HttpClients.PROP_PROXY, "http://user:pw@hubproxy:3128"));
        assertEquals("hubproxy", ((InetSocketAddress) clients.client().proxy().address()).getHostString());
        OkHttpClient own = clients.client(null, settings("proxy", "http://team-proxy:8080"));
        InetSocketAddress a = (InetSocketAddress) own.proxy().address();
        assertEquals("team-proxy", a.getHostString());
        assertEquals(8080, a.getPort());
        assertSame("the hub proxy's credentials stay with the hub proxy", okhttp3.Authenticator.NONE,
                own.proxyAuthenticator());
        OkHttpClient direct = clients.client(null, settings("proxy", "direct"));
        assertSame(Proxy.NO_PROXY, direct.proxy());
        assertSame(clients.client().sslSocketFactory(), direct.sslSocketFactory());
    }

    @Test
    public void providerClientsAreRebuiltWhenTheHubConfigurationChanges() throws Exception {
        clients = new HttpClientsImpl(Map.of());
        ConnectionSettings direct = settings("proxy", "direct");
        OkHttpClient before = clients.client(null, direct);
        clients.modified(Map.of(HttpClients.PROP_CONNECT_TIMEOUT, 3));
        OkHttpClient after = clients.client(null, direct);
        assertNotSame(before, after);
        assertEquals(3_000, after.connectTimeoutMillis());
        assertSame(Proxy.NO_PROXY, after.proxy());
    }
}
