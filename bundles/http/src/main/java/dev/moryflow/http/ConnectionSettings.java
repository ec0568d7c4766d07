package dev.moryflow.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * One provider's own connection settings, read from its configuration and passed to
 * {@link HttpClients#client(java.time.Duration, ConnectionSettings)}:
 * <ul>
 * <li>{@value #PROP_CA_CERTIFICATES}: extra CA certificates trusted <em>in addition to</em> the JVM's default trust
 * store (a company's internal CA), as PEM text with one or more {@code CERTIFICATE} blocks or the path of a PEM
 * file.</li>
 * <li>{@value #PROP_CLIENT_CERTIFICATE} and {@value #PROP_CLIENT_KEY}: a client certificate for mutual TLS. The
 * certificate (and any intermediate certificates after it) is PEM text or a file path; the key is the path of a file
 * holding an unencrypted PKCS#8 PEM key ({@code -----BEGIN PRIVATE KEY-----}). Key text in the configuration itself
 * is refused, so the key never sits in Config Admin, the Web Console or an export of the configuration: it stays in
 * a file the operating system protects (readable only by the hub's user), as with nginx or curl.</li>
 * <li>{@value #PROP_PROXY}: this provider's proxy, overriding {@code proxy} of {@value HttpClients#PID}:
 * {@code http://host:port} or {@code socks5://host:port}, or {@value #DIRECT} to connect directly although the hub
 * has a proxy. Empty: the hub's proxy.</li>
 * </ul>
 * Files are read once, when the settings are read (when the configuration is applied); a relative path is resolved
 * against the hub's working directory. Immutable; equal settings are equal objects, so clients can be cached per
 * settings. {@link #toString()} names the certificates' subjects and the proxy, never the key.
 *
 * @since 1.2
 */
public final class ConnectionSettings {

    /** Configuration property (String): extra trusted CA certificates, PEM text or a PEM file path. */
    public static final String PROP_CA_CERTIFICATES = "caCertificates";
    /** Configuration property (String): the client certificate for mutual TLS, PEM text or a PEM file path. */
    public static final String PROP_CLIENT_CERTIFICATE = "clientCertificate";
    /** Configuration property (String): the path of the client certificate's unencrypted PKCS#8 PEM key file. */
    public static final String PROP_CLIENT_KEY = "clientKey";
    /** Configuration property (String): the provider's own proxy, or {@value #DIRECT}. */
    public static final String PROP_PROXY = "proxy";
    /** The {@value #PROP_PROXY} value that bypasses the hub's proxy. */
    public static final String DIRECT = "direct";

    /** No settings of its own: the hub's trust store, no client certificate, the hub's proxy. */
    public static final ConnectionSettings HUB = new ConnectionSettings(List.of(), List.of(), null, null, null, null,
            null);

    private static final long MAX_FILE_BYTES = 1024 * 1024;

    private final List<X509Certificate> trusted;
    private final List<X509Certificate> clientChain;
    private final Proxy proxy;
    private final String proxyShown;
    private final SSLSocketFactory socketFactory;
    private final X509TrustManager trustManager;
    /** SHA-256 over everything that makes a connection different: the identity of these settings. */
    private final String identity;

    private ConnectionSettings(List<X509Certificate> trusted, List<X509Certificate> clientChain, Proxy proxy,
            String proxyShown, SSLSocketFactory socketFactory, X509TrustManager trustManager, String identity) {
        this.trusted = List.copyOf(trusted);
        this.clientChain = List.copyOf(clientChain);
        this.proxy = proxy;
        this.proxyShown = proxyShown;
        this.socketFactory = socketFactory;
        this.trustManager = trustManager;
        this.identity = identity == null ? "hub" : identity;
    }

    /**
     * Reads the settings from a configuration; properties that are absent or empty keep the hub's behaviour.
     *
     * @param properties the provider's configuration ({@value #PROP_CA_CERTIFICATES}, {@value #PROP_CLIENT_CERTIFICATE},
     *                   {@value #PROP_CLIENT_KEY}, {@value #PROP_PROXY}; other properties are ignored)
     * @return the settings; {@link #HUB} when none is set
     * @throws SettingException naming the property, the fault and the fix (a PEM that does not parse, a file that
     *                          is missing, a key that does not belong to the certificate, a proxy that is not a URL)
     */
    public static ConnectionSettings from(Map<String, ?> properties) throws SettingException {
        String ca = string(properties.get(PROP_CA_CERTIFICATES));
        String cert = string(properties.get(PROP_CLIENT_CERTIFICATE));
        String keyPath = string(properties.get(PROP_CLIENT_KEY));
        String proxyValue = string(properties.get(PROP_PROXY));
        if (ca == null && cert == null && keyPath == null && proxyValue == null) {
            return HUB;
        }
        List<X509Certificate> trusted = ca == null ? List.of() : certificates(PROP_CA_CERTIFICATES, ca);
        List<X509Certificate> chain = List.of();
        PrivateKey key = null;
        if (cert != null || keyPath != null) {
            if (keyPath == null) {
                throw new SettingException(PROP_CLIENT_KEY, PROP_CLIENT_KEY + " is missing: a client certificate "
                        + "needs its private key; set " + PROP_CLIENT_KEY + " to the path of its PEM key file, or "
                        + "clear " + PROP_CLIENT_CERTIFICATE);
            }
            if (cert == null) {
                throw new SettingException(PROP_CLIENT_CERTIFICATE, PROP_CLIENT_CERTIFICATE + " is missing: "
                        + PROP_CLIENT_KEY + " is set, so set " + PROP_CLIENT_CERTIFICATE + " to the client "
                        + "certificate (PEM text or a file path), or clear " + PROP_CLIENT_KEY);
            }
            if (Pem.isPem(keyPath)) {
                // never repeat the value: it is a private key
                throw new SettingException(PROP_CLIENT_KEY, PROP_CLIENT_KEY + " holds the key itself: save the key "
                        + "to a file readable only by the hub's user (chmod 600), set " + PROP_CLIENT_KEY + " to that "
                        + "file's path, and remove the key text from this configuration");
            }
            chain = certificates(PROP_CLIENT_CERTIFICATE, cert);
            Path file = file(PROP_CLIENT_KEY, keyPath);
            key = Pem.privateKey(PROP_CLIENT_KEY, read(PROP_CLIENT_KEY, file), "the file " + file);
            if (!belongTogether(key, chain.get(0))) {
                throw new SettingException(PROP_CLIENT_KEY, PROP_CLIENT_KEY + ": the key in the file " + file
                        + " does not belong to the certificate in " + PROP_CLIENT_CERTIFICATE + " ("
                        + chain.get(0).getSubjectX500Principal().getName() + "): point both at the files issued "
                        + "together");
            }
        }
        Proxy proxy = null;
        String shown = null;
        if (proxyValue != null) {
            if (proxyValue.equalsIgnoreCase(DIRECT)) {
                proxy = Proxy.NO_PROXY;
                shown = DIRECT;
            } else {
                proxy = proxy(proxyValue);
                InetSocketAddress a = (InetSocketAddress) proxy.address();
                shown = (proxy.type() == Proxy.Type.HTTP ? "http" : "socks5") + "://" + a.getHostString() + ":"
                        + a.getPort();
            }
        }
        SSLSocketFactory factory = null;
        X509TrustManager tm = null;
        if (!trusted.isEmpty() || key != null) {
            try {
                tm = trustManager(trusted);
                SSLContext ssl = SSLContext.getInstance("TLS");
                ssl.init(key == null ? null : keyManagers(key, chain).getKeyManagers(), new TrustManager[] { tm },
                        null);
                factory = ssl.getSocketFactory();
            } catch (GeneralSecurityException | IOException e) {
                throw new SettingException(key == null ? PROP_CA_CERTIFICATES : PROP_CLIENT_CERTIFICATE,
                        "the TLS settings could not be set up (" + Problems.oneLine(e.getClass().getSimpleName()
                                + ": " + e.getMessage(), 120) + "): check " + PROP_CA_CERTIFICATES + " and "
                                + PROP_CLIENT_CERTIFICATE);
            }
        }
        return new ConnectionSettings(trusted, chain, proxy, shown, factory, tm,
                identity(trusted, chain, key, shown));
    }

    // -------------------------------------------------------------------------------------------------- reading

    private static List<X509Certificate> certificates(String property, String value) throws SettingException {
        if (Pem.isPem(value)) {
            return Pem.certificates(property, value, "the PEM text");
        }
        Path file = file(property, value);
        return Pem.certificates(property, read(property, file), "the file " + file);
    }

    private static Path file(String property, String value) throws SettingException {
        Path path;
        try {
            path = Path.of(value).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new SettingException(property, property + " is neither PEM text (starting with "
                    + Pem.BEGIN_CERTIFICATE + ") nor a file path: set the PEM text or the path of a PEM file");
        }
        if (!Files.exists(path)) {
            throw new SettingException(property, property + ": the file " + path + " does not exist: set "
                    + property + " to the path of the PEM file (absolute, or relative to the hub's folder)"
                    + (property.equals(PROP_CLIENT_KEY) ? "" : ", or paste the PEM text itself"));
        }
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new SettingException(property, property + ": the file " + path + " is not a readable file: "
                    + "let the hub's user read it, or point " + property + " at the PEM file");
        }
        return path;
    }

    private static String read(String property, Path file) throws SettingException {
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new SettingException(property, property + ": the file " + file + " is larger than 1 MiB, "
                        + "which no PEM file of certificates or a key is: point " + property + " at the PEM file");
            }
            return new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new SettingException(property, property + ": the file " + file + " could not be read ("
                    + Problems.oneLine(String.valueOf(e.getMessage()), 120) + "): let the hub's user read it");
        }
    }

    private static Proxy proxy(String value) throws SettingException {
        String fix = "set " + PROP_PROXY + " to http://host:port (for example http://proxy:3128), socks5://host:port, "
                + DIRECT + " to bypass the hub's proxy, or leave it empty for the hub's proxy";
        try {
            URI uri = new URI(value.contains("://") ? value : "http://" + value);
            String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            Proxy.Type type;
            if (scheme.equals("http")) {
                type = Proxy.Type.HTTP;
            } else if (scheme.equals("socks") || scheme.equals("socks5")) {
                type = Proxy.Type.SOCKS;
            } else {
                throw new SettingException(PROP_PROXY, PROP_PROXY + " uses " + scheme + "://, which is not a proxy "
                        + "scheme (a proxy is reached with plain http://; calls through it stay encrypted): " + fix);
            }
            if (uri.getRawUserInfo() != null) {
                // never repeat the value: it holds a password
                throw new SettingException(PROP_PROXY, PROP_PROXY + " contains a user name or password, which a "
                        + "provider's own proxy does not support: remove them, or set the proxy with its password "
                        + "as proxy of " + HttpClients.PID + " and leave this provider's " + PROP_PROXY + " empty");
            }
            if (uri.getHost() == null) {
                throw new SettingException(PROP_PROXY, PROP_PROXY + " has no host: " + fix);
            }
            int port = uri.getPort() > 0 ? uri.getPort() : type == Proxy.Type.HTTP ? 80 : 1080;
            return new Proxy(type, InetSocketAddress.createUnresolved(uri.getHost(), port));
        } catch (URISyntaxException e) {
            throw new SettingException(PROP_PROXY, PROP_PROXY + " \"" + Problems.oneLine(value, 60)
                    + "\" is not a URL: " + fix);
        }
    }

    private static boolean belongTogether(PrivateKey key, X509Certificate cert) {
        String alg;
        switch (key.getAlgorithm()) {
            case "RSA":
                alg = "SHA256withRSA";
                break;
            case "EC":
                alg = "SHA256withECDSA";
                break;
            case "EdDSA":
            case "Ed25519":
            case "Ed448":
                alg = key.getAlgorithm().equals("Ed448") ? "Ed448" : "Ed25519";
                break;
            default:
                return true; // not checked; the handshake will tell
        }
        try {
            byte[] probe = new byte[32];
            new SecureRandom().nextBytes(probe);
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(probe);
            byte[] signature = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(cert.getPublicKey());
            v.update(probe);
            return v.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** The JVM's default trust anchors plus the extra certificates, in one trust manager. */
    private static X509TrustManager trustManager(List<X509Certificate> extra) throws GeneralSecurityException,
            IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        int i = 0;
        for (X509Certificate c : defaultTrustManager().getAcceptedIssuers()) {
            store.setCertificateEntry("default-" + i++, c);
        }
        i = 0;
        for (X509Certificate c : extra) {
            store.setCertificateEntry("extra-" + i++, c);
        }
        TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        f.init(store);
        return x509(f.getTrustManagers());
    }

    private static X509TrustManager defaultTrustManager() throws GeneralSecurityException {
        TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        f.init((KeyStore) null);
        return x509(f.getTrustManagers());
    }

    private static X509TrustManager x509(TrustManager[] managers) throws GeneralSecurityException {
        for (TrustManager m : managers) {
            if (m instanceof X509TrustManager) {
                return (X509TrustManager) m;
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager");
    }

    private static KeyManagerFactory keyManagers(PrivateKey key, List<X509Certificate> chain)
            throws GeneralSecurityException, IOException {
        // an in-memory store only: the password protects nothing on disk
        char[] password = new char[0];
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("client", key, password, chain.toArray(new X509Certificate[0]));
        KeyManagerFactory f = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        f.init(store, password);
        return f;
    }

    private static String identity(List<X509Certificate> trusted, List<X509Certificate> chain, PrivateKey key,
            String proxy) throws SettingException {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (X509Certificate c : trusted) {
                d.update(c.getEncoded());
            }
            d.update((byte) 0);
            for (X509Certificate c : chain) {
                d.update(c.getEncoded());
            }
            d.update((byte) 0);
            if (key != null) {
                byte[] encoded = key.getEncoded();
                d.update(encoded);
                Arrays.fill(encoded, (byte) 0);
            }
            d.update((byte) 0);
            if (proxy != null) {
                d.update(proxy.getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException | java.security.cert.CertificateEncodingException e) {
            throw new SettingException(PROP_CA_CERTIFICATES, "the certificates could not be encoded: "
                    + e.getMessage());
        }
    }

    private static String string(Object v) {
        if (v instanceof String[]) {
            String[] a = (String[]) v;
            v = a.length == 0 ? null : String.join("\n", a);
        } else if (v instanceof Collection) {
            Collection<?> c = (Collection<?>) v;
            List<String> parts = new ArrayList<>();
            for (Object o : c) {
                parts.add(String.valueOf(o));
            }
            v = parts.isEmpty() ? null : String.join("\n", parts);
        }
        if (v == null) {
            return null;
        }
        String s = String.valueOf(v).trim();
        return s.isEmpty() ? null : s;
    }

    // --------------------------------------------------------------------------------------------------- values

    /** @return whether these settings change nothing: the hub's own client serves them */
    public boolean isHub() {
        return identity.equals("hub");
    }

    /** @return the extra trusted CA certificates (in addition to the JVM's), possibly empty */
    public List<X509Certificate> trustedCertificates() {
        return trusted;
    }

    /** @return the client certificate and any intermediates after it; empty when there is no client certificate */
    public List<X509Certificate> clientCertificateChain() {
        return clientChain;
    }

    /**
     * @return the provider's own proxy: null for the hub's, {@link Proxy#NO_PROXY} for {@value #DIRECT}
     */
    public Proxy proxy() {
        return proxy;
    }

    /**
     * @return the socket factory trusting the JVM's CAs and {@link #trustedCertificates()} and presenting the client
     *         certificate; null when neither is set (the hub's own TLS)
     */
    public SSLSocketFactory sslSocketFactory() {
        return socketFactory;
    }

    /** @return the trust manager of {@link #sslSocketFactory()}, or null when that is null */
    public X509TrustManager trustManager() {
        return trustManager;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConnectionSettings && ((ConnectionSettings) o).identity.equals(identity);
    }

    @Override
    public int hashCode() {
        return identity.hashCode();
    }

    /** @return the settings in words: certificate subjects and the proxy, never the key */
    @Override
    public String toString() {
        if (isHub()) {
            return "the hub's connection settings";
        }
        List<String> parts = new ArrayList<>();
        if (!trusted.isEmpty()) {
            List<String> names = new ArrayList<>();
            for (X509Certificate c : trusted) {
                names.add(c.getSubjectX500Principal().getName());
            }
            parts.add("also trusts " + names);
        }
        if (!clientChain.isEmpty()) {
            parts.add("client certificate " + clientChain.get(0).getSubjectX500Principal().getName());
        }
        if (proxyShown != null) {
            parts.add("proxy " + proxyShown);
        }
        return String.join(", ", parts);
    }
}
