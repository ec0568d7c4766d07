package dev.moryflow.distribution;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

/** Lists the entries of a .tar.gz (ustar, with PAX long names), enough to check what an archive ships. */
final class TarGz {

    /** One entry: its path, permission bits and whether it is a directory. */
    record Entry(String name, int mode, boolean directory) {
    }

    private TarGz() {
    }

    /** @return the entries by name */
    static Map<String, Entry> list(Path archive) throws IOException {
        Map<String, Entry> entries = new TreeMap<>();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(archive))) {
            String paxName = null;
            byte[] header = new byte[512];
            while (readFully(in, header)) {
                if (isZero(header)) {
                    break;
                }
                String name = text(header, 0, 100);
                String prefix = text(header, 345, 155);
                if (!prefix.isEmpty()) {
                    name = prefix + "/" + name;
                }
                int mode = (int) octal(header, 100, 8);
                long size = octal(header, 124, 12);
                char type = (char) header[156];
                byte[] data = read(in, size);
                if (type == 'x') {
                    paxName = paxPath(data);
                    continue;
                }
                if (type == 'g') {
                    continue;
                }
                if (paxName != null) {
                    name = paxName;
                    paxName = null;
                }
                boolean directory = type == '5' || name.endsWith("/");
                String key = directory && name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
                entries.put(key, new Entry(key, mode & 07777, directory));
            }
        }
        return entries;
    }

    private static String paxPath(byte[] data) {
        String records = new String(data, StandardCharsets.UTF_8);
        for (String record : records.split("\n")) {
            int space = record.indexOf(' ');
            if (space > 0 && record.startsWith("path=", space + 1)) {
                return record.substring(space + 1 + "path=".length());
            }
        }
        return null;
    }

    private static byte[] read(InputStream in, long size) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long padded = (size + 511) / 512 * 512;
        byte[] block = new byte[512];
        for (long done = 0; done < padded; done += 512) {
            if (!readFully(in, block)) {
                throw new IOException("archive ends inside an entry");
            }
            long keep = Math.min(512, size - done);
            if (keep > 0 && size <= 1 << 20) {
                out.write(block, 0, (int) keep);
            }
        }
        return out.toByteArray();
    }

    private static boolean readFully(InputStream in, byte[] buffer) throws IOException {
        int off = 0;
        while (off < buffer.length) {
            int n = in.read(buffer, off, buffer.length - off);
            if (n < 0) {
                if (off == 0) {
                    return false;
                }
                throw new IOException("archive ends inside a block");
            }
            off += n;
        }
        return true;
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static String text(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static long octal(byte[] header, int offset, int length) {
        String value = text(header, offset, length).trim();
        return value.isEmpty() ? 0 : Long.parseLong(value, 8);
    }

    static List<String> names(Map<String, Entry> entries, boolean directories) {
        List<String> names = new ArrayList<>();
        entries.values().stream().filter(e -> e.directory() == directories).forEach(e -> names.add(e.name()));
        return names;
    }
}
