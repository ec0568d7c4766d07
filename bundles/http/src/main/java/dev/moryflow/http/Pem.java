package dev.moryflow.http;

import java.io.ByteArrayInputStream;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM text with the JDK only: {@code CERTIFICATE} blocks as X.509 certificates, an unencrypted PKCS#8
 * {@code PRIVATE KEY} block as an RSA, EC or EdDSA key. Lenient about layout (a block pasted on one line, with
 * spaces for line breaks, is read too) and strict about content. Messages name the property and never contain key
 * material.
 */
final class Pem {

    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----",
            Pattern.DOTALL);
    private static final String[] KEY_ALGORITHMS = { "RSA", "EC", "EdDSA", "RSASSA-PSS" };
    static final String BEGIN_CERTIFICATE = "-----BEGIN CERTIFICATE-----";

    private Pem() {
    }

    /** @return whether the value is PEM text rather than a file path */
    static boolean isPem(String value) {
        return value.contains("-----BEGIN ");
    }

    /**
     * @param property the property the text comes from, for messages
     * @param text     PEM text with one or more {@code CERTIFICATE} blocks (other blocks are refused)
     * @param source   where the text is from, for messages ("the PEM text" or "the file /path")
     * @return the certificates, in order
     * @throws SettingException naming the property, the block at fault and the fix
     */
    static List<X509Certificate> certificates(String property, String text, String source) throws SettingException {
        List<X509Certificate> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        CertificateFactory factory;
        try {
            factory = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("this Java has no X.509 support", e);
        }
        int n = 0;
        while (m.find()) {
            n++;
            String type = m.group(1).trim();
            if (!type.equals("CERTIFICATE") && !type.equals("TRUSTED CERTIFICATE")) {
                throw new SettingException(property, property + ": block " + n + " of " + source + " is a " + type
                        + ", not a CERTIFICATE: " + property + " takes certificates only (-----BEGIN CERTIFICATE-----"
                        + " blocks)" + (type.contains("PRIVATE KEY") ? "; a private key belongs in "
                                + ConnectionSettings.PROP_CLIENT_KEY + ", as a file path, never in this field" : ""));
            }
            byte[] der = decode(property, m.group(2), n, source, "certificate");
            try {
                out.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            } catch (CertificateException | ClassCastException e) {
                throw new SettingException(property, property + ": certificate " + n + " of " + source
                        + " does not parse as an X.509 certificate (" + Problems.oneLine(String.valueOf(
                                e.getMessage()), 120) + "): copy the whole block again, from "
                        + BEGIN_CERTIFICATE + " to -----END CERTIFICATE-----");
            }
        }
        if (n == 0) {
            throw new SettingException(property, property + ": " + source + " holds no PEM certificate: set the CA "
                    + "certificate in PEM form (text starting with " + BEGIN_CERTIFICATE + "), or the path of a "
                    + ".pem/.crt file holding it (a binary .der/.cer file converts with openssl x509 -inform der "
                    + "-in ca.cer -out ca.pem)");
        }
        return out;
    }

    /**
     * @param property the property the text comes from, for messages
     * @param text     PEM text with one unencrypted PKCS#8 {@code PRIVATE KEY} block
     * @param source   where the text is from, for messages (a file path; never the text)
     * @return the key
     * @throws SettingException naming the property and the fix, never the key
     */
    static PrivateKey privateKey(String property, String text, String source) throws SettingException {
        Matcher m = BLOCK.matcher(text);
        if (!m.find()) {
            throw new SettingException(property, property + ": " + source + " holds no PEM private key: it should "
                    + "hold an unencrypted PKCS#8 key, text starting with -----BEGIN PRIVATE KEY-----");
        }
        String type = m.group(1).trim();
        String convert = "openssl pkcs8 -topk8 -nocrypt -in key.pem -out client-key.pem";
        if (type.equals("ENCRYPTED PRIVATE KEY")) {
            throw new SettingException(property, property + ": the key in " + source + " is encrypted, and the hub "
                    + "keeps no key passwords: write an unencrypted copy readable only by the hub's user (" + convert
                    + ", then chmod 600 client-key.pem) and point " + property + " at it");
        }
        if (type.equals("RSA PRIVATE KEY") || type.equals("EC PRIVATE KEY")) {
            throw new SettingException(property, property + ": the key in " + source + " is in the older "
                    + type + " form, which Java does not read: convert it to PKCS#8 (" + convert
                    + ") and point " + property + " at the new file");
        }
        if (!type.equals("PRIVATE KEY")) {
            throw new SettingException(property, property + ": " + source + " holds a " + type + ", not a private "
                    + "key: point " + property + " at the file with -----BEGIN PRIVATE KEY-----");
        }
        byte[] der = decode(property, m.group(2), 1, source, "key");
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (InvalidKeySpecException | NoSuchAlgorithmException | ClassCastException e) {
                // try the next algorithm
            }
        }
        throw new SettingException(property, property + ": the key in " + source + " does not parse as an RSA, EC "
                + "or Ed25519 PKCS#8 key: export it again (" + convert + ")");
    }

    private static byte[] decode(String property, String body, int n, String source, String what)
            throws SettingException {
        try {
            return Base64.getMimeDecoder().decode(body.replaceAll("\\s+", ""));
        } catch (IllegalArgumentException e) {
            throw new SettingException(property, property + ": " + what + " " + n + " of " + source
                    + " is not valid base64 PEM: copy the whole block again, without changing its lines");
        }
    }
}
