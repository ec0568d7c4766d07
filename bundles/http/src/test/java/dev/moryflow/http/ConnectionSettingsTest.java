package dev.moryflow.http;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.Map;

import org.junit.After;
import org.junit.Test;

/**
 * Reading {@link ConnectionSettings}: PEM certificates as text or file, the client key as a file only, the proxy;
 * every refusal names the property and the fix and never shows key material. The PEM fixtures in
 * {@code src/test/resources/tls} are test-only keys and certificates (valid for 100 years), made with openssl.
 */
public class ConnectionSettingsTest {

    private Path dir;

    @After
    public void cleanUp() throws IOException {
        if (dir != null) {
            try (var files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }

    static String resource(String name) throws IOException {
        try (InputStream in = ConnectionSettingsTest.class.getResourceAsStream("/tls/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    private Path file(String name, String content) throws IOException {
        if (dir == null) {
            dir = Files.createTempDirectory("settings");
        }
        Path p = dir.resolve(name);
        Files.writeString(p, content, StandardCharsets.US_ASCII);
        return p;
    }

    private static Map<String, Object> props(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static SettingException refused(Map<String, Object> p) {
        try {
            ConnectionSettings s = ConnectionSettings.from(p);
            throw new AssertionError("accepted: " + s);
        } catch (SettingException e) {
            return e;
        }
    }

    @Test
    public void noSettingsAreTheHubs() throws Exception {
        assertSame(ConnectionSettings.HUB, ConnectionSettings.from(Map.of()));
        assertSame(ConnectionSettings.HUB, ConnectionSettings.from(props("caCertificates", " ", "proxy", "")));
        assertTrue(ConnectionSettings.HUB.isHub());
        assertNull(ConnectionSettings.HUB.sslSocketFactory());
        assertNull(ConnectionSettings.HUB.proxy());
    }

    @Test
    public void caCertificatesAsPemTextTrustedBesideTheJvmDefaults() throws Exception {
        String ca = resource("ca.pem");
        ConnectionSettings s = ConnectionSettings.from(props("caCertificates", ca));
        assertFalse(s.isHub());
        assertEquals(1, s.trustedCertificates().size());
        assertNotNull(s.sslSocketFactory());
        X509Certificate[] issuers = s.trustManager().getAcceptedIssuers();
        assertTrue("the JVM's own CAs stay trusted", issuers.length > 1);
        boolean found = false;
        for (X509Certificate c : issuers) {
            found |= c.equals(s.trustedCertificates().get(0));
        }
        assertTrue(found);
        assertTrue(s.toString(), s.toString().contains("CN=MoryFlow Unit Test CA"));
    }

    @Test
    public void severalCertificatesInOneTextAndPemPastedOnOneLine() throws Exception {
        String two = resource("ca.pem") + "\n" + resource("ca2.pem");
        assertEquals(2, ConnectionSettings.from(props("caCertificates", two)).trustedCertificates().size());
        // a form field that turned the line breaks into spaces
        String oneLine = resource("ca.pem").replace('\n', ' ');
        assertEquals(1, ConnectionSettings.from(props("caCertificates", oneLine)).trustedCertificates().size());
    }

    @Test
    public void caCertificatesAsAFilePathEqualToTheSameText() throws Exception {
        Path f = file("ca.pem", resource("ca.pem"));
        ConnectionSettings fromFile = ConnectionSettings.from(props("caCertificates", f.toString()));
        ConnectionSettings fromText = ConnectionSettings.from(props("caCertificates", resource("ca.pem")));
        assertEquals(fromText, fromFile);
        assertEquals(fromText.hashCode(), fromFile.hashCode());
        assertNotEquals(fromText, ConnectionSettings.from(props("caCertificates", resource("ca2.pem"))));
    }

    @Test
    public void missingFileNamesThePathAndTheFix() {
        SettingException e = refused(props("caCertificates", "/nowhere/company-ca.pem"));
        assertEquals("caCertificates", e.property());
        assertTrue(e.getMessage(), e.getMessage().contains("/nowhere/company-ca.pem does not exist"));
        assertTrue(e.getMessage(), e.getMessage().contains("paste the PEM text"));
    }

    @Test
    public void pemThatDoesNotParseIsRefused() throws Exception {
        String broken = resource("ca.pem").replaceFirst("\n[A-Za-z0-9+/]{20}", "\nAAAAAAAAAAAAAAAAAAAA");
        SettingException e = refused(props("caCertificates", broken));
        assertEquals("caCertificates", e.property());
        assertTrue(e.getMessage(), e.getMessage().contains("certificate 1 of the PEM text does not parse"));
        SettingException none = refused(props("caCertificates", file("empty.pem", "hello").toString()));
        assertTrue(none.getMessage(), none.getMessage().contains("holds no PEM certificate"));
    }

    @Test
    public void aKeyInTheCaFieldIsRefusedWithoutShowingIt() throws Exception {
        String key = resource("client-key.pem");
        SettingException e = refused(props("caCertificates", key));
        assertTrue(e.getMessage(), e.getMessage().contains("is a PRIVATE KEY, not a CERTIFICATE"));
        assertNoKeyMaterial(e, key);
    }

    @Test
    public void clientCertificateWithItsKeyFile() throws Exception {
        Path key = file("client-key.pem", resource("client-key.pem"));
        ConnectionSettings s = ConnectionSettings.from(props("clientCertificate", resource("client.pem"),
                "clientKey", key.toString()));
        assertEquals(1, s.clientCertificateChain().size());
        assertNotNull(s.sslSocketFactory());
        assertTrue(s.toString(), s.toString().contains("client certificate CN=moryflow-unit-client"));
        assertFalse(s.toString(), s.toString().contains(key.toString()));
    }

    @Test
    public void keyTextInTheConfigurationIsRefusedWithoutRepeatingIt() throws Exception {
        String key = resource("client-key.pem");
        SettingException e = refused(props("clientCertificate", resource("client.pem"), "clientKey", key));
        assertEquals("clientKey", e.property());
        assertTrue(e.getMessage(), e.getMessage().contains("holds the key itself"));
        assertTrue(e.getMessage(), e.getMessage().contains("chmod 600"));
        assertNoKeyMaterial(e, key);
    }

    @Test
    public void keyFormsJavaCannotReadNameTheConversion() throws Exception {
        String cert = resource("client.pem");
        for (String name : new String[] { "client-key-pkcs1.pem", "client-key-encrypted.pem" }) {
            String key = resource(name);
            SettingException e = refused(props("clientCertificate", cert, "clientKey", file(name, key).toString()));
            assertEquals("clientKey", e.property());
            assertTrue(e.getMessage(), e.getMessage().contains("openssl pkcs8 -topk8 -nocrypt"));
            assertNoKeyMaterial(e, key);
        }
    }

    @Test
    public void keyOfAnotherCertificateIsRefused() throws Exception {
        String key = resource("other-key.pem");
        SettingException e = refused(props("clientCertificate", resource("client.pem"), "clientKey",
                file("other-key.pem", key).toString()));
        assertTrue(e.getMessage(), e.getMessage().contains("does not belong to the certificate"));
        assertNoKeyMaterial(e, key);
    }

    @Test
    public void certificateAndKeyComeTogether() throws Exception {
        assertEquals("clientKey", refused(props("clientCertificate", resource("client.pem"))).property());
        assertEquals("clientCertificate", refused(props("clientKey",
                file("k.pem", resource("client-key.pem")).toString())).property());
        SettingException missing = refused(props("clientCertificate", resource("client.pem"), "clientKey",
                "/nowhere/key.pem"));
        assertTrue(missing.getMessage(), missing.getMessage().contains("/nowhere/key.pem does not exist"));
        assertFalse(missing.getMessage(), missing.getMessage().contains("paste"));
    }

    @Test
    public void proxyOfTheProviderAndDirect() throws Exception {
        ConnectionSettings direct = ConnectionSettings.from(props("proxy", "direct"));
        assertSame(Proxy.NO_PROXY, direct.proxy());
        assertNull(direct.sslSocketFactory());
        ConnectionSettings own = ConnectionSettings.from(props("proxy", "http://proxy.internal:3128"));
        assertEquals(Proxy.Type.HTTP, own.proxy().type());
        InetSocketAddress a = (InetSocketAddress) own.proxy().address();
        assertEquals("proxy.internal", a.getHostString());
        assertEquals(3128, a.getPort());
        assertEquals(Proxy.Type.SOCKS, ConnectionSettings.from(props("proxy", "socks5://s:1080")).proxy().type());
        assertNotEquals(direct, own);
        assertEquals(own, ConnectionSettings.from(props("proxy", "http://proxy.internal:3128")));
    }

    @Test
    public void proxyWithPasswordOrWrongSchemeIsRefused() {
        SettingException e = refused(props("proxy", "http://me:hunter2@proxy:3128"));
        assertEquals("proxy", e.property());
        assertFalse(e.getMessage(), e.getMessage().contains("hunter2"));
        assertTrue(e.getMessage(), refused(props("proxy", "https://proxy:3128")).getMessage()
                .contains("http://host:port"));
        assertTrue(refused(props("proxy", "http:// bad")).getMessage().contains("direct"));
    }

    private static void assertNoKeyMaterial(SettingException e, String pem) {
        for (String line : pem.split("\n")) {
            if (!line.startsWith("-----") && line.length() >= 16) {
                if (e.getMessage().contains(line.substring(0, 16))) {
                    fail("the message shows the key: " + e.getMessage());
                }
            }
        }
    }
}
