package dev.moryflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Hashtable;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * A change of the HTTP server's configuration ({@code org.apache.felix.http}: another port, as a Karaf user writes
 * into {@code etc/org.apache.felix.http.cfg}) while the gateway runs: Felix HTTP Jetty restarts its server, and the
 * gateway answers on the new port, its own error pages included. (With the gateway's former {@code LocalConnector}
 * the restarted server answered 404 to every path.)
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HttpRestartIT extends HubTestSupport {

    private static final String TOKEN = "mf-itest-http-restart-token-0123456789";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @org.ops4j.pax.exam.Configuration
    public Option[] config() throws Exception {
        return hub(newWorkDir("http-restart"), gateway(freePort()));
    }

    @Test
    public void theGatewayAnswersOnTheNewPortAfterTheHttpConfigurationChanges() throws Exception {
        gatewayToken(TOKEN);
        int before = Integer.parseInt(context.getProperty("org.osgi.service.http.port"));
        awaitCondition("the API is not served on " + before, () -> models(before) == 200);

        int after = freePort();
        Hashtable<String, Object> http = new Hashtable<>();
        http.put("org.apache.felix.http.host", "127.0.0.1");
        http.put("org.osgi.service.http.port", String.valueOf(after));
        configAdmin.getConfiguration("org.apache.felix.http", null).update(http);

        awaitCondition("the API is not served on the new port " + after + " (" + describe(after) + ")",
                () -> models(after) == 200);
        // the server's own error pages (a header line it cannot parse) are still the gateway's JSON ones
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", after)) {
            s.getOutputStream().write("GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(answer, answer.startsWith("HTTP/1.1 400"));
            assertTrue(answer, answer.contains("application/json") && answer.contains("\"code\":\"bad_request\""));
        }
        assertEquals(401, status(after, "/v1/models", null));
    }

    private int models(int port) {
        try {
            return status(port, "/v1/models", TOKEN);
        } catch (Exception notYet) {
            return -1;
        }
    }

    private String describe(int port) {
        try {
            return "GET /v1/models answered " + status(port, "/v1/models", TOKEN);
        } catch (Exception e) {
            return e.toString();
        }
    }

    private int status(int port, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }
}
