package dev.moryflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.ArrayList;
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
import org.osgi.service.cm.Configuration;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import dev.moryflow.http.HttpClients;
import dev.moryflow.provider.Diagnosis;
import dev.moryflow.provider.DiagnosisStep;
import dev.moryflow.provider.DiagnosisStep.Outcome;
import dev.moryflow.provider.Problem;

/**
 * TLS failures behind a trusted certificate: the JVM's trust store is pointed (for this class only) at a store
 * holding a test CA and a certificate for another host, the hub's client is rebuilt, and real HTTPS servers on
 * 127.0.0.1 present an expired certificate (signed by the test CA) and a certificate issued for other.example.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DoctorTlsIT extends DoctorTestSupport {

    private static final String PASS = "changeit";
    private final List<String[]> savedProperties = new ArrayList<>();
    private final List<HttpsServer> servers = new ArrayList<>();
    /** The certificates, made once per framework (keytool is slow). */
    private static File dir;

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return hub(newWorkDir("doctor-tls"), reactorBundle("doctor"));
    }

    @Before
    public void certificates() throws Exception {
        if (dir == null || !dir.getPath().startsWith(workDir().toString())) {
            dir = workDir().resolve("tls").toFile();
            assertTrue(dir.mkdirs());
            makeCertificates();
        }
        setProperty("javax.net.ssl.trustStore", new File(dir, "trust.p12").getAbsolutePath());
        setProperty("javax.net.ssl.trustStorePassword", PASS);
        setProperty("javax.net.ssl.trustStoreType", "PKCS12");
        rebuildClient(7);
    }

    private void makeCertificates() throws Exception {
        // a CA, a leaf for 127.0.0.1 signed by it that expired yesterday, and a self-signed cert for other.example
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=Doctor Test CA",
                "-ext", "bc:c", "-validity", "5", "-keystore", "ca.p12");
        keytool("-genkeypair", "-alias", "leaf", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=127.0.0.1",
                "-validity", "5", "-keystore", "expired.p12");
        keytool("-certreq", "-alias", "leaf", "-keystore", "expired.p12", "-file", "leaf.csr");
        keytool("-gencert", "-alias", "ca", "-keystore", "ca.p12", "-infile", "leaf.csr", "-outfile", "leaf.crt",
                "-startdate", "-3d", "-validity", "1", "-ext", "san=ip:127.0.0.1");
        keytool("-exportcert", "-alias", "ca", "-keystore", "ca.p12", "-rfc", "-file", "ca.crt");
        keytool("-importcert", "-noprompt", "-alias", "ca", "-keystore", "expired.p12", "-file", "ca.crt");
        keytool("-importcert", "-noprompt", "-alias", "leaf", "-keystore", "expired.p12", "-file", "leaf.crt");
        keytool("-genkeypair", "-alias", "other", "-keyalg", "RSA", "-keysize", "2048", "-dname",
                "CN=other.example", "-ext", "san=dns:other.example", "-validity", "5", "-keystore", "other.p12");
        keytool("-exportcert", "-alias", "other", "-keystore", "other.p12", "-rfc", "-file", "other.crt");
        keytool("-importcert", "-noprompt", "-alias", "ca", "-keystore", "trust.p12", "-file", "ca.crt");
        keytool("-importcert", "-noprompt", "-alias", "other", "-keystore", "trust.p12", "-file", "other.crt");
    }

    @After
    public void restore() throws Exception {
        deleteProviders();
        for (HttpsServer s : servers) {
            s.stop(0);
        }
        for (String[] p : savedProperties) {
            if (p[1] == null) {
                System.clearProperty(p[0]);
            } else {
                System.setProperty(p[0], p[1]);
            }
        }
        savedProperties.clear();
        // a different setting makes the hub build a client that loads the JVM's own trust store again
        rebuildClient(10);
    }

    @Test
    public void expiredCertificate() throws Exception {
        int port = serve("expired.p12");
        provider("expired", "baseUrl", "https://127.0.0.1:" + port + "/v1", "models", new String[] { "m" });
        awaitProvider("expired");
        Diagnosis d = diagnose("expired", null);
        assertStep(d, DiagnosisStep.CONNECTION, Outcome.FAILED, "TLS certificate expired", "renew");
        assertEquals(Problem.TLS, d.problem());
    }

    @Test
    public void hostNameMismatch() throws Exception {
        int port = serve("other.p12");
        provider("mismatch", "baseUrl", "https://127.0.0.1:" + port + "/v1", "models", new String[] { "m" });
        awaitProvider("mismatch");
        Diagnosis d = diagnose("mismatch", null);
        assertStep(d, DiagnosisStep.CONNECTION, Outcome.FAILED, "TLS host name mismatch",
                "host name the certificate was issued for");
    }

    // -------------------------------------------------------------------------------------------------- helpers

    private void setProperty(String name, String value) {
        savedProperties.add(new String[] { name, System.getProperty(name) });
        System.setProperty(name, value);
    }

    /** Changes moryflow.http so the hub builds a new client, which loads the trust store anew. */
    private void rebuildClient(int connectTimeout) throws Exception {
        Configuration c = configAdmin.getConfiguration(HttpClients.PID, "?");
        c.update(props("connectTimeoutSeconds", connectTimeout));
        awaitCondition("the HTTP client was not rebuilt", () -> {
            HttpClients http = currentHttp();
            return http != null && http.client().connectTimeoutMillis() == connectTimeout * 1000;
        });
    }

    private void keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(System.getProperty("java.home") + "/bin/keytool");
        for (String a : args) {
            cmd.add(a);
        }
        cmd.addAll(List.of("-storetype", "PKCS12", "-storepass", PASS));
        Process p = new ProcessBuilder(cmd).directory(dir).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("keytool did not finish", p.waitFor(60, TimeUnit.SECONDS));
        assertEquals("keytool " + String.join(" ", args) + " failed: " + out, 0, p.exitValue());
    }

    private int serve(String keystore) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(new File(dir, keystore))) {
            store.load(in, PASS.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, PASS.toCharArray());
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl));
        server.createContext("/", ex -> {
            byte[] b = "{\"data\":[]}".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
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
