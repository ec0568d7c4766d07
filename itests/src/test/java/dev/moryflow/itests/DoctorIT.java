package dev.moryflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.FileInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.event.Event;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import dev.moryflow.events.Topics;
import dev.moryflow.itests.FakeUpstream.Reply;
import dev.moryflow.provider.Diagnosis;
import dev.moryflow.provider.DiagnosisStep;
import dev.moryflow.provider.DiagnosisStep.Outcome;
import dev.moryflow.provider.Problem;

/**
 * The doctor against local servers: a fake upstream scripted for each Base URL and response format failure, a real
 * refused port, a silent server (timeout), a real TLS server with a self-signed certificate, and a real DNS failure
 * on a reserved name.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DoctorIT extends DoctorTestSupport {

    private FakeUpstream upstream;

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return hub(newWorkDir("doctor"), reactorBundle("doctor"));
    }

    @Before
    public void start() throws Exception {
        upstream = new FakeUpstream();
    }

    @After
    public void stop() throws Exception {
        deleteProviders();
        upstream.close();
    }

    private void local(String id, String baseUrl, Object... more) throws Exception {
        Object[] kv = new Object[4 + more.length];
        kv[0] = "baseUrl";
        kv[1] = baseUrl;
        kv[2] = "models";
        kv[3] = new String[] { "remote-a" };
        System.arraycopy(more, 0, kv, 4, more.length);
        provider(id, kv);
        awaitProvider(id);
    }

    // ------------------------------------------------------------------------------------------------ success

    @Test
    public void healthyProviderPassesEveryStepAndPostsTested() throws Exception {
        local("healthy", upstream.baseUrl());
        try (EventRecorder events = new EventRecorder()) {
            Diagnosis d = diagnose("healthy", null);
            assertTrue(d.steps().toString(), d.ok());
            assertEquals("remote-a", d.model());
            for (String step : List.of(DiagnosisStep.BASE_URL, DiagnosisStep.CONNECTION, DiagnosisStep.KEY,
                    DiagnosisStep.MODEL, DiagnosisStep.RESPONSE_FORMAT, DiagnosisStep.TEST_MESSAGE,
                    DiagnosisStep.SECURITY)) {
                assertStep(d, step, Outcome.PASSED, null, null);
            }
            String detail = d.step(DiagnosisStep.TEST_MESSAGE).get().detail();
            assertTrue(detail, detail.contains("Hello from remote-a") && detail.contains("first chunk after"));
            Event e = events.await(Topics.PROVIDER_TESTED, "healthy");
            assertEquals(Boolean.TRUE, e.getProperty("ok"));
            assertEquals("remote-a", e.getProperty("model"));
            assertTrue(e.getProperty("duration.ms") instanceof Long);
        }
    }

    @Test
    public void unknownProviderSaysHowToAddIt() throws Exception {
        Diagnosis d = diagnose("nobody", null);
        assertStep(d, DiagnosisStep.CONFIGURATION, Outcome.FAILED, "no provider with the id nobody",
                "deploy/moryflow.provider.openai-nobody.cfg");
    }

    // ------------------------------------------------------------------------------------------------ base url

    @Test
    public void baseUrlThatDoesNotParse() throws Exception {
        provider("broken", "baseUrl", "http//api example.com/v1");
        Diagnosis d = diagnose("broken", null);
        assertStep(d, DiagnosisStep.BASE_URL, Outcome.FAILED, "does not parse", "https://");
        assertEquals(Problem.NOT_READY, d.problem());
    }

    @Test
    public void baseUrlWithWrongScheme() throws Exception {
        provider("ftp", "baseUrl", "ftp://api.example.com/v1");
        assertStep(diagnose("ftp", null), DiagnosisStep.BASE_URL, Outcome.FAILED, "wrong scheme",
                "https://");
    }

    @Test
    public void fullEndpointPastedAsBaseUrl() throws Exception {
        local("pasted", upstream.baseUrl() + "/chat/completions");
        assertStep(diagnose("pasted", null), DiagnosisStep.BASE_URL, Outcome.FAILED,
                "endpoint path /chat/completions", "baseUrl = " + upstream.baseUrl() + " ");
    }

    @Test
    public void trailingSlashIsAWarning() throws Exception {
        local("slash", upstream.baseUrl() + "/");
        Diagnosis d = diagnose("slash", null);
        assertTrue(d.steps().toString(), d.ok());
        assertStep(d, DiagnosisStep.BASE_URL, Outcome.WARNING, "ends with a slash",
                "baseUrl = " + upstream.baseUrl() + ".");
    }

    @Test
    public void missingV1IsProbedAndNamed() throws Exception {
        upstream.script(r -> r.path.startsWith("/v1/") ? FakeUpstream.defaultReply(r)
                : Reply.json(404, "{\"error\":{\"message\":\"Not found\"}}"));
        local("nov1", upstream.origin());
        assertStep(diagnose("nov1", null), DiagnosisStep.BASE_URL, Outcome.FAILED,
                "missing /v1: the server answers under " + upstream.origin() + "/v1",
                "baseUrl = " + upstream.origin() + "/v1");
    }

    @Test
    public void webPageAtBaseUrl() throws Exception {
        upstream.script(r -> Reply.raw(200, "text/html; charset=utf-8",
                "<!DOCTYPE html><html><head><title>Example AI</title></head><body>Welcome</body></html>"));
        local("website", upstream.baseUrl());
        Diagnosis d = diagnose("website", null);
        DiagnosisStep s = assertStep(d, DiagnosisStep.BASE_URL, Outcome.FAILED, "a web page (HTML) answered",
                "not the address of its web site");
        assertTrue(s.detail(), s.detail().contains("text/html") && s.detail().contains("Welcome"));
    }

    @Test
    public void azureUrlWithoutDeployment() throws Exception {
        local("azure-nodep", upstream.origin() + "/openai", "dialect", "azure", "apiVersion", "2024-10-21");
        assertStep(diagnose("azure-nodep", null), DiagnosisStep.BASE_URL, Outcome.FAILED,
                "has no deployment", "/openai/deployments/{deployment-name}");
    }

    @Test
    public void azureUrlWithoutApiVersion() throws Exception {
        provider("azure-nover", "baseUrl", upstream.origin() + "/openai/deployments/gpt4o", "dialect", "azure");
        assertStep(diagnose("azure-nover", null), DiagnosisStep.BASE_URL, Outcome.FAILED,
                "has no api-version", "apiVersion = 2024-10-21");
    }

    // ---------------------------------------------------------------------------------------------- connection

    @Test
    public void refusedPortOfALocalServer() throws Exception {
        int port = freePort();
        local("lmstudio", "http://127.0.0.1:" + port + "/v1", "preset", "lmstudio");
        Diagnosis d = diagnose("lmstudio", null);
        assertStep(d, DiagnosisStep.CONNECTION, Outcome.FAILED, "connection refused by 127.0.0.1:" + port,
                "Is LM Studio's server started on port " + port + "?");
        assertStep(d, DiagnosisStep.TEST_MESSAGE, Outcome.SKIPPED, null, null);
        assertEquals(Problem.CONNECTION_FAILED, d.problem());
    }

    @Test
    public void silentServerTimesOut() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            local("silent", "http://127.0.0.1:" + silent.getLocalPort() + "/v1", "timeoutSeconds", "1");
            Diagnosis d = diagnose("silent", null);
            assertStep(d, DiagnosisStep.CONNECTION, Outcome.FAILED, "did not answer in time", "timeoutSeconds");
            assertEquals(Problem.TIMEOUT, d.problem());
        }
    }

    @Test
    public void dnsFailureOnAReservedName() throws Exception {
        local("nohost", "https://api.no-such-host.invalid/v1", "apiKey", "sk-doctor-dns-0123456789");
        Diagnosis d = diagnose("nohost", null);
        assertStep(d, DiagnosisStep.CONNECTION, Outcome.FAILED, "could not resolve host api.no-such-host.invalid",
                "Check the host name in the Base URL");
    }

    @Test
    public void selfSignedCertificateIsUntrusted() throws Exception {
        HttpsServer tls = selfSignedServer();
        try {
            String url = "https://127.0.0.1:" + tls.getAddress().getPort() + "/v1";
            local("selfsigned", url);
            Diagnosis d = diagnose("selfsigned", null);
            assertStep(d, DiagnosisStep.CONNECTION, Outcome.FAILED, "TLS certificate untrusted",
                    "set caCertificates");
            assertEquals(Problem.TLS, d.problem());
        } finally {
            tls.stop(0);
        }
    }

    // ----------------------------------------------------------------------------------------- response format

    @Test
    public void chatAnswerWithoutChoices() throws Exception {
        upstream.script(r -> r.path.endsWith("/chat/completions")
                ? Reply.json(200, "{\"id\":\"x\",\"object\":\"chat.completion\",\"result\":\"OK\"}")
                : FakeUpstream.defaultReply(r));
        local("nochoices", upstream.baseUrl());
        DiagnosisStep s = assertStep(diagnose("nochoices", null), DiagnosisStep.RESPONSE_FORMAT, Outcome.FAILED,
                "has no \"choices\"", "OpenAI compatible");
        assertTrue(s.cause(), s.cause().contains("\"result\":\"OK\""));
    }

    @Test
    public void chatAnswerWithoutContent() throws Exception {
        upstream.script(r -> r.path.endsWith("/chat/completions")
                ? Reply.json(200, "{\"id\":\"x\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\"},"
                        + "\"finish_reason\":\"length\"}]}")
                : FakeUpstream.defaultReply(r));
        local("nocontent", upstream.baseUrl());
        assertStep(diagnose("nocontent", null), DiagnosisStep.RESPONSE_FORMAT, Outcome.FAILED,
                "choices[0].message.content is missing or empty (finish_reason length", "max_tokens");
    }

    @Test
    public void htmlInsteadOfJsonFromChat() throws Exception {
        upstream.script(r -> r.path.endsWith("/chat/completions")
                ? Reply.raw(200, "text/html", "<html><body>Please log in</body></html>")
                : FakeUpstream.defaultReply(r));
        local("htmlchat", upstream.baseUrl());
        assertStep(diagnose("htmlchat", null), DiagnosisStep.RESPONSE_FORMAT, Outcome.FAILED,
                "the answer is not JSON (content type text/html): <html><body>Please log in", "HTML page");
    }

    @Test
    public void streamWithoutDataLines() throws Exception {
        upstream.script(r -> r.path.endsWith("/chat/completions") && r.body.contains("\"stream\":true")
                ? Reply.raw(200, "text/event-stream", "Hello there, this is plain text\n\n")
                : FakeUpstream.defaultReply(r));
        local("nodata", upstream.baseUrl());
        assertStep(diagnose("nodata", null), DiagnosisStep.RESPONSE_FORMAT, Outcome.FAILED,
                "streamed test message: the answer has no \"data:\" lines", null);
    }

    @Test
    public void streamWithoutDone() throws Exception {
        upstream.script(r -> r.path.endsWith("/chat/completions") && r.body.contains("\"stream\":true")
                ? Reply.sse(List.of("{\"id\":\"s\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"O\"}}]}",
                        "{\"id\":\"s\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"K\"}}]}"))
                : FakeUpstream.defaultReply(r));
        local("nodone", upstream.baseUrl());
        assertStep(diagnose("nodone", null), DiagnosisStep.RESPONSE_FORMAT, Outcome.FAILED,
                "no [DONE] and no finish_reason after 2 chunks", "retry");
    }

    @Test
    public void streamWithWrongContentType() throws Exception {
        upstream.script(r -> r.path.endsWith("/chat/completions") && r.body.contains("\"stream\":true")
                ? Reply.raw(200, "text/html", "<html>stream</html>")
                : FakeUpstream.defaultReply(r));
        local("streamhtml", upstream.baseUrl());
        assertStep(diagnose("streamhtml", null), DiagnosisStep.RESPONSE_FORMAT, Outcome.FAILED,
                "the answer is not an event stream (content type text/html)", null);
    }

    @Test
    public void jsonWithWrongContentTypeIsAWarning() throws Exception {
        upstream.script(r -> r.path.endsWith("/models")
                ? Reply.raw(200, "text/plain", "{\"object\":\"list\",\"data\":[{\"id\":\"remote-a\"}]}")
                : FakeUpstream.defaultReply(r));
        local("plainjson", upstream.baseUrl());
        Diagnosis d = diagnose("plainjson", null);
        assertStep(d, DiagnosisStep.RESPONSE_FORMAT, Outcome.WARNING, "wrong content type", "application/json");
    }

    // ---------------------------------------------------------------------------------------------------- model

    @Test
    public void unknownModelGetsDidYouMean() throws Exception {
        upstream.script(r -> r.path.endsWith("/chat/completions")
                ? Reply.json(404, "{\"error\":{\"message\":\"The model `remote-aa` does not exist\","
                        + "\"code\":\"model_not_found\"}}")
                : FakeUpstream.defaultReply(r));
        local("typo", upstream.baseUrl());
        Diagnosis d = diagnose("typo", "remote-aa");
        assertStep(d, DiagnosisStep.MODEL, Outcome.FAILED, "did you mean remote-a", "remote-a");
        assertEquals(Problem.MODEL_NOT_FOUND, d.problem());
    }

    @Test
    public void configuredModelNoLongerListed() throws Exception {
        upstream.script(r -> r.path.endsWith("/chat/completions") && r.body.contains("remote-old")
                ? Reply.json(404, "{\"error\":{\"message\":\"model remote-old was retired\","
                        + "\"code\":\"model_not_found\"}}")
                : FakeUpstream.defaultReply(r));
        provider("retired", "baseUrl", upstream.baseUrl(), "models", new String[] { "remote-old", "remote-a" });
        awaitProvider("retired");
        assertStep(diagnose("retired", null), DiagnosisStep.MODEL, Outcome.FAILED,
                "model remote-old is configured, but the server no longer lists it", "Remove it from models");
        // the listed model of the same provider works, and the stale one is named as a warning
        assertStep(diagnose("retired", "remote-a"), DiagnosisStep.MODEL, Outcome.WARNING,
                "no longer lists: remote-old", null);
    }

    // -------------------------------------------------------------------------------------------------- helpers

    /** A real HTTPS server on 127.0.0.1 with a fresh self-signed certificate made by keytool. */
    private HttpsServer selfSignedServer() throws Exception {
        File ks = workDir().resolve("selfsigned-" + System.nanoTime() + ".p12").toFile();
        char[] pass = "changeit".toCharArray();
        Process p = new ProcessBuilder(System.getProperty("java.home") + "/bin/keytool", "-genkeypair", "-alias",
                "server", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", ks.getAbsolutePath(), "-storepass", "changeit", "-keypass",
                "changeit").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("keytool did not finish", p.waitFor(60, TimeUnit.SECONDS));
        assertEquals("keytool failed: " + out, 0, p.exitValue());
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(ks)) {
            store.load(in, pass);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, pass);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl));
        server.createContext("/", ex -> {
            byte[] b = "{\"data\":[]}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
        assertFalse(ks.length() == 0);
        return server;
    }
}
