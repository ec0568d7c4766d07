package dev.moryflow.credentials.internal;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The master key file, {@code master.key}: the random AES-256 key that encrypts the store, kept either as is
 * (protected by owner-only file permissions) or wrapped with a key derived from {@code MORYFLOW_MASTER_PASSWORD}
 * (PBKDF2WithHmacSHA256, random salt, at least {@value #ITERATIONS} iterations), so the file alone is useless.
 *
 * <pre>
 * plain:    "MFMK" | 1 | 0 | key (32)
 * password: "MFMK" | 1 | 1 | iterations (int) | salt (16) | IV (12) | AES-GCM(key) with tag (48)
 * </pre>
 *
 * For the password form, everything before the IV is the GCM additional data: a changed salt, iteration count or
 * mode makes unwrapping fail like a wrong password does.
 */
final class MasterKeyFile {

    static final String FILE_NAME = "master.key";
    /** The environment variable holding the optional master password. */
    static final String PASSWORD_ENV = "MORYFLOW_MASTER_PASSWORD";
    /** PBKDF2 iterations for new key files, and the least accepted in existing ones. */
    static final int ITERATIONS = 210_000;

    private static final byte[] MAGIC = {'M', 'F', 'M', 'K'};
    private static final byte VERSION = 1;
    private static final byte MODE_PLAIN = 0;
    private static final byte MODE_PASSWORD = 1;
    private static final int KEY_BYTES = 32;
    private static final int SALT_BYTES = 16;
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final int PREFIX_BYTES = MAGIC.length + 2;
    private static final int PLAIN_BYTES = PREFIX_BYTES + KEY_BYTES;
    private static final int PASSWORD_AAD_BYTES = PREFIX_BYTES + 4 + SALT_BYTES;
    private static final int PASSWORD_BYTES = PASSWORD_AAD_BYTES + IV_BYTES + KEY_BYTES + TAG_BITS / 8;

    private MasterKeyFile() {
    }

    /** A key read from the file, and whether the file should be rewritten in the password form. */
    static final class Loaded {
        final SecretKey key;
        final boolean needsPasswordWrap;

        Loaded(SecretKey key, boolean needsPasswordWrap) {
            this.key = key;
            this.needsPasswordWrap = needsPasswordWrap;
        }
    }

    /** @return a new random AES-256 key */
    static SecretKey generate(SecureRandom random) {
        byte[] raw = new byte[KEY_BYTES];
        random.nextBytes(raw);
        try {
            return new SecretKeySpec(raw, "AES");
        } finally {
            Secrets.wipe(raw);
        }
    }

    /**
     * @param key      the master key
     * @param password the master password, or null for the plain form
     * @return the file content
     */
    static byte[] encode(SecretKey key, char[] password, SecureRandom random) throws GeneralSecurityException {
        byte[] raw = key.getEncoded();
        try {
            if (password == null) {
                ByteBuffer out = ByteBuffer.allocate(PLAIN_BYTES);
                out.put(MAGIC).put(VERSION).put(MODE_PLAIN).put(raw);
                return out.array();
            }
            byte[] salt = new byte[SALT_BYTES];
            random.nextBytes(salt);
            byte[] iv = new byte[IV_BYTES];
            random.nextBytes(iv);
            ByteBuffer out = ByteBuffer.allocate(PASSWORD_BYTES);
            out.put(MAGIC).put(VERSION).put(MODE_PASSWORD).putInt(ITERATIONS).put(salt);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, derive(password, salt, ITERATIONS), new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(out.array(), 0, PASSWORD_AAD_BYTES);
            out.put(iv).put(cipher.doFinal(raw));
            return out.array();
        } finally {
            Secrets.wipe(raw);
        }
    }

    /**
     * @param content  the file content
     * @param password the master password, or null when none is set
     * @return the key
     * @throws StoreFormatException when the file is damaged, needs a password that is not set, or the password is
     *                              wrong; the message says what to do
     */
    static Loaded decode(byte[] content, char[] password) throws StoreFormatException {
        if (content.length < PREFIX_BYTES || !Arrays.equals(content, 0, MAGIC.length, MAGIC, 0, MAGIC.length)
                || content[MAGIC.length] != VERSION) {
            throw damaged();
        }
        byte mode = content[MAGIC.length + 1];
        if (mode == MODE_PLAIN && content.length == PLAIN_BYTES) {
            byte[] raw = Arrays.copyOfRange(content, PREFIX_BYTES, PLAIN_BYTES);
            try {
                return new Loaded(new SecretKeySpec(raw, "AES"), password != null);
            } finally {
                Secrets.wipe(raw);
            }
        }
        if (mode != MODE_PASSWORD || content.length != PASSWORD_BYTES) {
            throw damaged();
        }
        if (password == null) {
            throw new StoreFormatException(FILE_NAME + " is protected by a master password, but the environment "
                    + "variable " + PASSWORD_ENV + " is not set: set it to the password used when the store was "
                    + "created, then restart the credentials bundle.");
        }
        ByteBuffer in = ByteBuffer.wrap(content, PREFIX_BYTES, content.length - PREFIX_BYTES);
        int iterations = in.getInt();
        if (iterations < ITERATIONS) {
            throw damaged();
        }
        byte[] salt = new byte[SALT_BYTES];
        in.get(salt);
        byte[] iv = new byte[IV_BYTES];
        in.get(iv);
        byte[] raw = null;
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, derive(password, salt, iterations), new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(content, 0, PASSWORD_AAD_BYTES);
            raw = cipher.doFinal(content, in.position(), in.remaining());
            return new Loaded(new SecretKeySpec(raw, "AES"), false);
        } catch (AEADBadTagException e) {
            throw new StoreFormatException("the master password in " + PASSWORD_ENV + " does not unlock " + FILE_NAME
                    + " (or the file was changed): set " + PASSWORD_ENV + " to the password used when the store was "
                    + "created, then restart the credentials bundle.");
        } catch (GeneralSecurityException e) {
            throw new StoreFormatException(FILE_NAME + " cannot be unwrapped: " + e.getClass().getSimpleName(), e);
        } finally {
            Secrets.wipe(raw);
        }
    }

    private static SecretKey derive(char[] password, byte[] salt, int iterations) throws GeneralSecurityException {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, KEY_BYTES * 8);
        byte[] raw = null;
        try {
            raw = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
            return new SecretKeySpec(raw, "AES");
        } finally {
            spec.clearPassword();
            Secrets.wipe(raw);
        }
    }

    private static StoreFormatException damaged() {
        return new StoreFormatException(FILE_NAME + " is damaged or not a MoryFlow master key file. " + Vault.RECOVERY);
    }
}
