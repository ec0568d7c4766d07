package dev.moryflow.credentials.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * The encrypted store file, {@code credentials.store}:
 *
 * <pre>
 * "MFCS" | version (1 byte, 2; 1 is still read) | IV (12 random bytes, fresh per write) | AES-256-GCM ciphertext and 16-byte tag
 * </pre>
 *
 * The first five bytes are the GCM additional authenticated data, so the format version cannot be changed without the
 * tag failing. The plaintext is a {@link DataOutputStream} record list: count, then per credential the id, the secret
 * as UTF-16 code units (never a String), created and rotated instants, the fingerprint and the earlier fingerprints, and (version 2) the owning
 * configuration's PID and the origin the key is bound to ({@code ""} for none).
 * Plaintext buffers are wiped after use.
 */
final class StoreFormat {

    static final byte[] MAGIC = {'M', 'F', 'C', 'S'};
    static final byte VERSION = 2;
    /** The first version, without owner and origin; read, never written. */
    static final byte VERSION_1 = 1;
    static final int HEADER_BYTES = MAGIC.length + 1;
    static final int IV_BYTES = 12;
    static final int TAG_BITS = 128;
    static final int MIN_FILE_BYTES = HEADER_BYTES + IV_BYTES + TAG_BITS / 8;

    private static final int MAX_RECORDS = 100_000;
    private static final int MAX_SECRET_CHARS = 1 << 20;
    private static final int MAX_HISTORY = 1_000;

    private StoreFormat() {
    }

    /**
     * @return the whole file content for these records, encrypted with a fresh IV
     */
    static byte[] encrypt(Collection<CredentialRecord> records, SecretKey key, SecureRandom random)
            throws GeneralSecurityException {
        WipeableBuffer plain = new WipeableBuffer(estimate(records));
        try {
            try (DataOutputStream out = new DataOutputStream(plain)) {
                out.writeInt(records.size());
                for (CredentialRecord record : records) {
                    out.writeUTF(record.id());
                    char[] secret = record.secretForWriting();
                    out.writeInt(secret.length);
                    for (char c : secret) {
                        out.writeChar(c);
                    }
                    writeInstant(out, record.metadata().created());
                    out.writeBoolean(record.metadata().rotated() != null);
                    if (record.metadata().rotated() != null) {
                        writeInstant(out, record.metadata().rotated());
                    }
                    out.writeUTF(record.metadata().fingerprint());
                    List<String> history = record.metadata().previousFingerprints();
                    out.writeInt(history.size());
                    for (String fingerprint : history) {
                        out.writeUTF(fingerprint);
                    }
                    out.writeUTF(record.owner() == null ? "" : record.owner());
                    out.writeUTF(record.origin() == null ? "" : record.origin());
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot happen: writing to memory", e);
            }
            byte[] iv = new byte[IV_BYTES];
            random.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            byte[] header = header();
            cipher.updateAAD(header);
            byte[] file = new byte[HEADER_BYTES + IV_BYTES + cipher.getOutputSize(plain.size())];
            System.arraycopy(header, 0, file, 0, HEADER_BYTES);
            System.arraycopy(iv, 0, file, HEADER_BYTES, IV_BYTES);
            cipher.doFinal(plain.buffer(), 0, plain.size(), file, HEADER_BYTES + IV_BYTES);
            return file;
        } finally {
            plain.wipe();
        }
    }

    /**
     * @param file     the file's content
     * @param key      the master key
     * @param fileName the file, for messages
     * @return the records in the file
     * @throws StoreFormatException when the file is truncated, changed, of another format, or not written with this
     *                              key; the message says how to recover
     */
    static List<CredentialRecord> decrypt(byte[] file, SecretKey key, String fileName) throws StoreFormatException {
        if (file.length >= MAGIC.length && !Arrays.equals(file, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new StoreFormatException(fileName + " is not a MoryFlow credential store (wrong file header). "
                    + Vault.RECOVERY);
        }
        if (file.length < MIN_FILE_BYTES) {
            throw new StoreFormatException(fileName + " is truncated (" + file.length + " bytes, at least "
                    + MIN_FILE_BYTES + " expected). " + Vault.RECOVERY);
        }
        byte version = file[MAGIC.length];
        if (version != VERSION && version != VERSION_1) {
            throw new StoreFormatException(fileName + " has format version " + (file[MAGIC.length] & 0xff)
                    + "; this bundle reads version " + VERSION + ". Use the MoryFlow version that wrote it, or "
                    + Vault.RECOVERY);
        }
        byte[] plain;
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, file, HEADER_BYTES, IV_BYTES));
            cipher.updateAAD(file, 0, HEADER_BYTES);
            plain = cipher.doFinal(file, HEADER_BYTES + IV_BYTES, file.length - HEADER_BYTES - IV_BYTES);
        } catch (AEADBadTagException e) {
            throw new StoreFormatException(fileName + " failed its integrity check (AES-GCM tag): it was changed or "
                    + "truncated, or " + MasterKeyFile.FILE_NAME + " is not the key it was written with. "
                    + Vault.RECOVERY);
        } catch (GeneralSecurityException e) {
            throw new StoreFormatException(fileName + " cannot be decrypted: " + e.getClass().getSimpleName() + ". "
                    + Vault.RECOVERY, e);
        }
        try {
            return parse(plain, fileName, version);
        } finally {
            Secrets.wipe(plain);
        }
    }

    private static List<CredentialRecord> parse(byte[] plain, String fileName, byte version)
            throws StoreFormatException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(plain))) {
            int count = in.readInt();
            check(count >= 0 && count <= MAX_RECORDS, fileName, "record count");
            List<CredentialRecord> records = new ArrayList<>(count);
            for (int r = 0; r < count; r++) {
                String id = in.readUTF();
                int length = in.readInt();
                check(length > 0 && length <= MAX_SECRET_CHARS, fileName, "secret length");
                char[] secret = new char[length];
                try {
                    for (int i = 0; i < length; i++) {
                        secret[i] = in.readChar();
                    }
                    Instant created = readInstant(in);
                    Instant rotated = in.readBoolean() ? readInstant(in) : null;
                    String fingerprint = in.readUTF();
                    int historySize = in.readInt();
                    check(historySize >= 0 && historySize <= MAX_HISTORY, fileName, "history length");
                    List<String> history = new ArrayList<>(historySize);
                    for (int h = 0; h < historySize; h++) {
                        history.add(in.readUTF());
                    }
                    String owner = version >= VERSION ? emptyToNull(in.readUTF()) : null;
                    String origin = version >= VERSION ? emptyToNull(in.readUTF()) : null;
                    records.add(new CredentialRecord(id, secret, created, rotated, fingerprint, history, owner,
                            origin));
                } finally {
                    Secrets.wipe(secret);
                }
            }
            check(in.available() == 0, fileName, "trailing data");
            return records;
        } catch (IOException | RuntimeException e) {
            throw new StoreFormatException(fileName + " decrypts but its content is malformed ("
                    + e.getClass().getSimpleName() + "). " + Vault.RECOVERY);
        }
    }

    private static String emptyToNull(String s) {
        return s.isEmpty() ? null : s;
    }

    private static void check(boolean ok, String fileName, String what) throws StoreFormatException {
        if (!ok) {
            throw new StoreFormatException(fileName + " decrypts but its content is malformed (" + what + "). "
                    + Vault.RECOVERY);
        }
    }

    private static byte[] header() {
        byte[] header = Arrays.copyOf(MAGIC, HEADER_BYTES);
        header[MAGIC.length] = VERSION;
        return header;
    }

    private static void writeInstant(DataOutputStream out, Instant instant) throws IOException {
        out.writeLong(instant.getEpochSecond());
        out.writeInt(instant.getNano());
    }

    private static Instant readInstant(DataInputStream in) throws IOException {
        return Instant.ofEpochSecond(in.readLong(), in.readInt());
    }

    private static int estimate(Collection<CredentialRecord> records) {
        int size = 64;
        for (CredentialRecord record : records) {
            size += 512 + record.id().length() * 3 + record.secretForWriting().length * 2
                    + record.metadata().previousFingerprints().size() * 24;
        }
        return size;
    }

    /** A byte buffer that can be wiped; sized up front so growing seldom leaves copies behind. */
    private static final class WipeableBuffer extends ByteArrayOutputStream {

        WipeableBuffer(int size) {
            super(size);
        }

        byte[] buffer() {
            return buf;
        }

        void wipe() {
            Arrays.fill(buf, (byte) 0);
        }
    }
}
