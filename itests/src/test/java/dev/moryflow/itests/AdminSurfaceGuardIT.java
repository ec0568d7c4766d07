package dev.moryflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Dictionary;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.Configuration;


/**
 * The admin surfaces cannot be driven from outside: through real Jetty, the Web Console, /api and /v1 refuse a
 * foreign Host (DNS rebinding) and state-changing requests of other sites (Origin, Referer), and the Web Console has
 * no default password.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AdminSurfaceGuardIT extends HubTestSupport {

    private static final String TOKEN = "mf-itest-guard-token-0123456789";
    private static final String PID = OPENAI_FACTORY + "~guarded";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @org.ops4j.pax.exam.Configuration
    public Option[] config() throws Exception {
        int port = freePort();
        return hub(newWorkDir("guard"),
                gateway(port),
                webConsole());
    }

    @Before
    public void setUp() throws Exception {
        gatewayToken(TOKEN);
        provider("guarded", "name", "Before", "baseUrl", "http://127.0.0.1:9/v1", "models",
                new String[] { "guarded-model" });
        awaitProvider("guarded");
        awaitCondition("the API is not served", () -> send(request("/v1/models").GET()).statusCode() == 200);
    }

    @After
    public void tearDown() throws Exception {
        deleteProviders();
    }

    private int port() {
        return Integer.parseInt(context.getProperty("org.osgi.service.http.port"));
    }

    private String base() {
        return "http://127.0.0.1:" + port();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + TOKEN);
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private int console(String user, String password) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base() + "/system/console/bundles.json"))
                .timeout(Duration.ofSeconds(10)).header("Authorization", basic(user, password)).GET()).statusCode();
    }

    /** A Web Console form post that changes the provider's name, with the given extra headers. */
    private HttpResponse<String> renameInConsole(String password, String newName, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + "/system/console/configMgr/" + PID))
                .timeout(Duration.ofSeconds(10)).header("Authorization", basic("admin", password))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("apply=update&propertylist=name&name=" + newName));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b);
    }

    private String providerName() throws Exception {
        return (String) configAdmin.getConfiguration(PID, "?").getProperties().get("name");
    }

    /**
     * Has a new console password made, as the README says to when it is lost (remove the password property), and
     * reads the line the component prints to standard output.
     */
    private String newConsolePassword() throws Exception {
        String password = printedConsolePassword();
        awaitCondition("the Web Console does not accept the new password",
                () -> console("admin", password) == 200);
        return password;
    }

    @Test
    public void theConsoleHasNoDefaultPasswordButAHashedOneOfItsOwn() throws Exception {
        awaitCondition("the Web Console configuration holds no hashed password", () -> {
            Configuration[] c = configAdmin.listConfigurations("(service.pid=" + OSGI_MANAGER + ")");
            return c != null && String.valueOf(c[0].getProperties().get("password")).startsWith("{sha-256}");
        });
        awaitCondition("the Web Console is not served", () -> console("admin", "admin") != 404);
        assertEquals(401, console("admin", "admin"));
        String password = newConsolePassword();
        Object stored = configAdmin.getConfiguration(OSGI_MANAGER, null).getProperties().get("password");
        assertTrue(String.valueOf(stored), String.valueOf(stored).matches("\\{sha-256\\}[0-9a-f]{16}-1000-\\S+"));
        assertFalse("stored hashed, never in clear", String.valueOf(stored).contains(password));
        assertEquals(200, console("admin", password));
        assertEquals(401, console("admin", "admin"));
        assertEquals(401, console("admin", password + "x"));
        assertEquals(401, console("root", password));
    }

    @Test
    public void aCrossSiteConsoleFormPostIsRefusedAndChangesNothing() throws Exception {
        String password = newConsolePassword();
        String[][] foreign = { { "Origin", "http://evil.example" },
                { "Referer", "http://evil.example/attack.html" },
                { "Origin", "null" },
                { "Origin", "http://127.0.0.1:" + (port() + 1) } };
        for (String[] header : foreign) {
            HttpResponse<String> r = renameInConsole(password, "Hijacked", header);
            assertEquals(header[0] + ": " + header[1] + " -> " + r.body(), 403, r.statusCode());
            assertTrue(r.body(), r.body().contains("\"code\":\"cross_origin_refused\""));
            assertTrue(r.body(), r.body().contains("\"type\":\"invalid_request_error\""));
            assertEquals("Before", providerName());
        }
        HttpResponse<String> own = renameInConsole(password, "After", "Origin", base(),
                "Referer", base() + "/system/console/configMgr");
        assertTrue(own.statusCode() + " " + own.body(), own.statusCode() == 200 || own.statusCode() == 302);
        awaitCondition("the console's own form post did not change the configuration",
                () -> "After".equals(providerName()));
        HttpResponse<String> noPassword = renameInConsole("admin", "Again", "Origin", base());
        assertEquals(401, noPassword.statusCode());
        assertEquals("After", providerName());
    }

    @Test
    public void aCrossSiteConsoleGetThatTheConsoleTreatsAsAPostIsRefusedAndChangesNothing() throws Exception {
        String password = newConsolePassword();
        String before = providerName();
        String hijack = "/system/console/configMgr/" + PID + "?post=true&apply=update&propertylist=name&name=Hijacked";
        String[][] foreign = { { "Referer", "http://evil.example/x.html" }, { "Sec-Fetch-Site", "cross-site" } };
        for (String[] header : foreign) {
            HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base() + hijack))
                    .timeout(Duration.ofSeconds(10)).header("Authorization", basic("admin", password))
                    .header(header[0], header[1]).GET());
            assertEquals(header[0] + " -> " + r.body(), 403, r.statusCode());
            assertTrue(r.body(), r.body().contains("\"code\":\"cross_origin_refused\""));
            assertEquals(before, providerName());
        }
    }

    @Test
    public void aCrossSitePostToTheApiCreatesNothing() throws Exception {
        String body = "{\"id\":\"crosssite\",\"name\":\"Cross\",\"baseUrl\":\"http://127.0.0.1:9/v1\"}";
        HttpResponse<String> r = send(request("/api/providers").header("Content-Type", "application/json")
                .header("Origin", "http://evil.example").POST(HttpRequest.BodyPublishers.ofString(body)));
        assertEquals(r.body(), 403, r.statusCode());
        assertTrue(r.body(), r.body().contains("\"code\":\"cross_origin_refused\""));
        assertTrue(r.body(), r.body().contains("http://evil.example"));
        assertNull(configAdmin.listConfigurations("(service.pid=" + OPENAI_FACTORY + "~crosssite)"));
        // the same request from a client that is no web page (no Origin, no Referer) goes through
        HttpResponse<String> sdk = send(request("/api/providers").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.replace("crosssite", "direct"))));
        assertEquals(sdk.body(), 201, sdk.statusCode());
        assertNotNull(configAdmin.listConfigurations("(service.pid=" + OPENAI_FACTORY + "~direct)"));
    }

    @Test
    public void aForeignHostIsRefusedOnEveryPath() throws Exception {
        for (String path : new String[] { "/api/providers", "/v1/models", "/system/console",
                "/system/console/bundles.json", "/chat/" }) {
            String answer = raw(path, "evil.example:" + port());
            assertTrue(path + ": " + answer, answer.startsWith("HTTP/1.1 403"));
            assertTrue(answer, answer.contains("\"code\":\"host_not_allowed\""));
            assertTrue(answer, answer.contains("evil.example"));
            assertTrue(answer, answer.contains("allowedHosts"));
        }
        assertTrue(raw("/v1/models", "127.0.0.1:" + port()).startsWith("HTTP/1.1 200"));
        assertTrue(raw("/v1/models", "localhost:" + port()).startsWith("HTTP/1.1 200"));
    }

    @Test
    public void allowedHostsLetsAnotherNameIn() throws Exception {
        Configuration gw = configAdmin.getConfiguration("moryflow.gateway", "?");
        Dictionary<String, Object> p = gw.getProperties();
        p.put("allowedHosts", new String[] { "hub.example.lan" });
        gw.update(p);
        try {
            awaitCondition("allowedHosts is not applied",
                    () -> raw("/v1/models", "hub.example.lan:" + port()).startsWith("HTTP/1.1 200"));
            assertTrue(raw("/v1/models", "evil.example:" + port()).startsWith("HTTP/1.1 403"));
        } finally {
            p.remove("allowedHosts");
            gw.update(p);
            awaitCondition("allowedHosts is not removed",
                    () -> raw("/v1/models", "hub.example.lan:" + port()).startsWith("HTTP/1.1 403"));
        }
    }

    /** A GET with the given Host header, over a plain socket (Java's HttpClient does not let a caller set Host). */
    private String raw(String path, String host) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer " + TOKEN
                    + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
