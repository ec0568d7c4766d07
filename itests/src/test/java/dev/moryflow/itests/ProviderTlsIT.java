package dev.moryflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;

import dev.moryflow.provider.ChatRequest;
import dev.moryflow.provider.ChatResponse;
import dev.moryflow.provider.Diagnosis;
import dev.moryflow.provider.DiagnosisStep;
import dev.moryflow.provider.DiagnosisStep.Outcome;
import dev.moryflow.provider.Problem;
import dev.moryflow.provider.ProviderException;
import dev.moryflow.provider.ProviderService;

/**
 * A company service over HTTPS with a certificate from its own CA: a test CA, a server certificate for 127.0.0.1
 * and a client certificate, both signed by it, are made with keytool at test time; a fake upstream
 * ({@link HttpsServer}) on 127.0.0.1 presents the server certificate and, for mutual TLS, requires a client
 * certificate issued by the CA. The JVM's trust store is left alone: only a provider's {@code caCertificates} can
 * make the CA trusted.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ProviderTlsIT extends DoctorTestSupport {

    private static final String PASS = "changeit";
    private static final String ANSWER = "{\"id\":\"chatcmpl-tls\",\"object\":\"chat.completion\",\"model\":\"m\","
            + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"served over TLS\"},"
            + "\"finish_reason\":\"stop\"}]}";
    private static final String STREAM = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"streamed over "
            + "TLS\"}}]}\n\ndata: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
            + "data: [DONE]\n\n";

    /** The certificates, made once per framework (keytool is slow). */
    private static File dir;
    private final List<HttpsServer> servers = new ArrayList<>();

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return hub(newWorkDir("provider-tls"), reactorBundle("doctor"));
    }

    @Before
    public void certificates() throws Exception {
        if (dir == null || !dir.getPath().startsWith(workDir().toString())) {
            dir = workDir().resolve("tls").toFile();
            assertTrue(dir.mkdirs());
            makeCertificates();
        }
    }

    @After
    public void stopServers() throws Exception {
        deleteProviders();
        for (HttpsServer s : servers) {
            s.stop(0);
        }
    }

    private void makeCertificates() throws Exception {
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname",
                "CN=MoryFlow Test Company CA", "-ext", "bc:c", "-validity", "5", "-keystore", "ca.p12");
        keytool("-exportcert", "-alias", "ca", "-keystore", "ca.p12", "-rfc", "-file", "ca.pem");
        // the server: a leaf for 127.0.0.1 signed by the CA, its chain imported into its store
        keytool("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=127.0.0.1",
                "-validity", "5", "-keystore", "server.p12");
        keytool("-certreq", "-alias", "server", "-keystore", "server.p12", "-file", "server.csr");
        keytool("-gencert", "-alias", "ca", "-keystore", "ca.p12", "-infile", "server.csr", "-outfile",
                "server.crt", "-validity", "5", "-ext", "san=ip:127.0.0.1", "-rfc");
        keytool("-importcert", "-noprompt", "-alias", "ca", "-keystore", "server.p12", "-file", "ca.pem");
        keytool("-importcert", "-noprompt", "-alias", "server", "-keystore", "server.p12", "-file", "server.crt");
        // the client: a certificate signed by the CA, and its key written as PKCS#8 PEM
        keytool("-genkeypair", "-alias", "client", "-keyalg", "RSA", "-keysize", "2048", "-dname",
                "CN=moryflow-hub", "-validity", "5", "-keystore", "client.p12");
        keytool("-certreq", "-alias", "client", "-keystore", "client.p12", "-file", "client.csr");
        keytool("-gencert", "-alias", "ca", "-keystore", "ca.p12", "-infile", "client.csr", "-outfile",
                "client.pem", "-validity", "5", "-ext", "eku=clientAuth", "-rfc");
        PrivateKey key = (PrivateKey) load("client.p12").getKey("client", PASS.toCharArray());
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        Files.writeString(new File(dir, "client-key.pem").toPath(), pem, StandardCharsets.US_ASCII);
    }

    // ---------------------------------------------------------------------------------------------------- tests

    @Test
    public void withoutCaCertificatesTheChatFailsWithTheTlsProblemAndAFixNamingIt() throws Exception {
        int port = serve(false);
        ProviderService p = tlsProvider("corp", port);
        ProviderException e = chatFails(p);
        assertEquals(e.toString(), Problem.TLS, e.problem());
        assertTrue(e.getMessage(), e.getMessage().startsWith("TLS certificate untrusted"));
        assertTrue(e.hint(), e.hint().contains("set caCertificates in this provider's configuration"));

        Diagnosis d = diagnose("corp", "m");
        assertStep(d, DiagnosisStep.CONNECTION, Outcome.FAILED, "TLS certificate untrusted", "caCertificates");
        assertEquals(Problem.TLS, d.problem());
    }

    @Test
    public void caCertificatesAsPemTextServesChatStreamModelsAndTheDoctor() throws Exception {
        int port = serve(false);
        ProviderService p = tlsProvider("corp-text", port, "caCertificates", pem("ca.pem"));
        assertEquals("served over TLS", p.chat(ChatRequest.of("m", "hi")).content());
        assertEquals("streamed over TLS", stream(p).content());
        assertEquals("m", p.listRemoteModels().get(0).id());
        Diagnosis d = diagnose("corp-text", "m");
        DiagnosisStep connection = assertStep(d, DiagnosisStep.CONNECTION, Outcome.PASSED, null, null);
        assertTrue(connection.detail(), connection.detail().contains("TLS certificate accepted"));
        assertStep(d, DiagnosisStep.TEST_MESSAGE, Outcome.PASSED, null, null);
    }

    @Test
    public void caCertificatesAsAFilePathServes() throws Exception {
        int port = serve(false);
        ProviderService p = tlsProvider("corp-file", port, "caCertificates", new File(dir, "ca.pem").getAbsolutePath());
        assertEquals("served over TLS", p.chat(ChatRequest.of("m", "hi")).content());
    }

    @Test
    public void aServerThatRequiresAClientCertificateRefusesWithoutOneAndServesWithIt() throws Exception {
        int port = serve(true);
        ProviderService without = tlsProvider("mtls-none", port, "caCertificates", pem("ca.pem"));
        ProviderException e = chatFails(without);
        // the server's alert (certificate_required) is read when it arrives before the reset; otherwise the client
        // sees a connection closed right after the handshake: either way the fix names the client certificate
        assertTrue(e.toString(), e.problem() == Problem.TLS || e.problem() == Problem.CONNECTION_FAILED);
        assertTrue(e.hint(), e.hint().contains("set clientCertificate and clientKey")
                || e.hint().contains("Set clientCertificate"));
        assertTrue(e.hint(), e.hint().contains("clientKey"));

        ProviderService with = tlsProvider("mtls", port, "caCertificates", pem("ca.pem"), "clientCertificate",
                new File(dir, "client.pem").getAbsolutePath(), "clientKey",
                new File(dir, "client-key.pem").getAbsolutePath());
        assertEquals("served over TLS", with.chat(ChatRequest.of("m", "hi")).content());
        assertEquals("streamed over TLS", stream(with).content());
        assertStep(diagnose("mtls", "m"), DiagnosisStep.CONNECTION, Outcome.PASSED, null, null);
    }

    @Test
    public void aMissingCaFileRefusesTheConfigurationAndTheDoctorNamesTheField() throws Exception {
        provider("corp-missing", "baseUrl", "https://127.0.0.1:" + freePort() + "/v1", "models", new String[] { "m" },
                "caCertificates", "/nowhere/company-ca.pem");
        Diagnosis d = diagnose("corp-missing", "m");
        assertStep(d, DiagnosisStep.CONFIGURATION, Outcome.FAILED, "caCertificates: the file /nowhere/company-ca.pem "
                + "does not exist", "Correct caCertificates");
        assertTrue(providerRefs("(provider.id=corp-missing)") == null);
    }

    @Test
    public void keyTextPastedIntoTheConfigurationIsRefusedWithoutBeingRepeated() throws Exception {
        int port = serve(true);
        provider("mtls-pasted", "baseUrl", "https://127.0.0.1:" + port + "/v1", "models", new String[] { "m" },
                "clientCertificate", pem("client.pem"), "clientKey", pem("client-key.pem"));
        Diagnosis d = diagnose("mtls-pasted", "m");
        assertStep(d, DiagnosisStep.CONFIGURATION, Outcome.FAILED, "holds the key itself", "Correct clientKey");
        String keyLine = pem("client-key.pem").split("\n")[3];
        assertFalse("the diagnosis shows the key", d.toString().contains(keyLine)
                || d.steps().toString().contains(keyLine));
        assertTrue(providerRefs("(provider.id=mtls-pasted)") == null);
    }

    // -------------------------------------------------------------------------------------------------- helpers

    private ProviderService tlsProvider(String id, int port, Object... more) throws Exception {
        List<Object> kv = new ArrayList<>(List.of("baseUrl", "https://127.0.0.1:" + port + "/v1", "models",
                new String[] { "m" }));
        kv.addAll(List.of(more));
        provider(id, kv.toArray());
        return context.getService(awaitProvider(id));
    }

    private static ProviderException chatFails(ProviderService p) {
        try {
            ChatResponse r = p.chat(ChatRequest.of("m", "hi"));
            fail("the chat was served: " + r.content());
            return null;
        } catch (ProviderException e) {
            return e;
        }
    }

    private static ChatResponse stream(ProviderService p) throws Exception {
        StreamCollector c = new StreamCollector();
        p.stream(ChatRequest.of("m", "hi"), c);
        return c.await();
    }

    private static String pem(String name) throws Exception {
        return Files.readString(new File(dir, name).toPath(), StandardCharsets.US_ASCII);
    }

    private static KeyStore load(String name) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(new File(dir, name))) {
            store.load(in, PASS.toCharArray());
        }
        return store;
    }

    private void keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(System.getProperty("java.home") + "/bin/keytool");
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-storetype", "PKCS12", "-storepass", PASS));
        Process p = new ProcessBuilder(cmd).directory(dir).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("keytool did not finish", p.waitFor(60, TimeUnit.SECONDS));
        assertEquals("keytool " + String.join(" ", args) + " failed: " + out, 0, p.exitValue());
    }

    /**
     * An HTTPS fake upstream on 127.0.0.1 (port chosen by the system) with the CA-signed server certificate.
     *
     * @param clientAuth whether it requires a client certificate issued by the CA
     */
    private int serve(boolean clientAuth) throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(load("server.p12"), PASS.toCharArray());
        SSLContext ssl = SSLContext.getInstance("TLS");
        TrustManagerFactory tmf = null;
        if (clientAuth) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", load("ca.p12").getCertificate("ca"));
            tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
        }
        ssl.init(kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters p = ssl.getDefaultSSLParameters();
                p.setNeedClientAuth(clientAuth);
                params.setSSLParameters(p);
            }
        });
        server.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            byte[] request = ex.getRequestBody().readAllBytes();
            boolean streamed = new String(request, StandardCharsets.UTF_8).contains("\"stream\":true");
            String body = path.endsWith("/models") ? "{\"object\":\"list\",\"data\":[{\"id\":\"m\"}]}"
                    : streamed ? STREAM : ANSWER;
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", streamed ? "text/event-stream" : "application/json");
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        });
        server.start();
        servers.add(server);
        return server.getAddress().getPort();
    }
}
