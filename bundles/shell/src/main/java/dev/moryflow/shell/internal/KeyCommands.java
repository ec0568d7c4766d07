package dev.moryflow.shell.internal;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.List;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import dev.moryflow.credentials.CredentialMetadata;
import dev.moryflow.credentials.CredentialStore;
import dev.moryflow.provider.ProviderIds;

/**
 * Gogo commands of scope {@code moryflow} for API keys: store, rotate and delete them, and list what may be known
 * about them (fingerprint, dates, age). A key is read without echo where there is a console, and is never printed.
 */
@Component(service = KeyCommands.class, immediate = true, property = {
        "osgi.command.scope=moryflow",
        "osgi.command.function=keys" })
public class KeyCommands {

    static final int DEFAULT_WARNING_DAYS = 90;

    private final CredentialStore store;
    private final ConfigurationAdmin configAdmin;

    private final DashedCommands dashed;

    /** The dashed commands ({@code key-set}, …) are {@link DashedCommands}. */
    @Activate
    public KeyCommands(@Reference CredentialStore store, @Reference ConfigurationAdmin configAdmin,
            BundleContext context) {
        this.store = store;
        this.configAdmin = configAdmin;
        this.dashed = new DashedCommands(context).add("key-set", "<provider>", "store the API key of a provider, "
                + "asked for without echo (or read as one line from the input); it is never printed", (session, args) -> {
                    keySet(session, onlyArgument(args, "key-set"));
                    return null;
                }).add("key-rotate", "<provider>", "replace the stored API key of a provider; the next request "
                        + "uses the new one", (session, args) -> {
                            keyRotate(session, onlyArgument(args, "key-rotate"));
                            return null;
                        })
                .add("key-delete", "<provider>", "delete the stored API key of a provider",
                        (session, args) -> keyDelete(onlyArgument(args, "key-delete")))
                .add("key-confirm", "<provider>", "let a held key follow its provider to the address its base URL "
                        + "moved to (a key is otherwise sent only to the address it was stored for)",
                        (session, args) -> keyConfirm(onlyArgument(args, "key-confirm")));
    }

    @Deactivate
    void deactivate() {
        dashed.removeAll();
    }

    private static String onlyArgument(List<Object> args, String command) {
        if (args.size() != 1) {
            throw new IllegalArgumentException("usage: moryflow:" + command + " <provider>");
        }
        return String.valueOf(args.get(0));
    }

    @Descriptor("list the stored keys: fingerprint, created, last rotated, age in days, and a warning when due for rotation")
    public void keys() {
        Printed.print(keys(store.list(), warningDays(), Instant.now()));
    }

    static String keys(List<CredentialMetadata> all, int warningDays, Instant now) {
        if (all.isEmpty()) {
            return "No keys stored. Store one with `moryflow:key-set <provider>`.\n";
        }
        TextTable t = new TextTable("ID", "FINGERPRINT", "SENT TO", "CREATED", "ROTATED", "AGE", "STATUS");
        for (CredentialMetadata m : all) {
            long age = m.ageDays(now);
            t.row(m.id(), m.fingerprint(), m.origin() == null ? (m.configuration() == null ? "-" : "first use")
                    : m.origin(), m.created().toString().substring(0, 10),
                    m.rotated() == null ? "never" : m.rotated().toString().substring(0, 10), age + " d",
                    m.held() ? "held: moved to " + m.movedTo() + " (moryflow:key-confirm " + m.id() + ")"
                    : age >= warningDays ? "rotate: older than " + warningDays + " days" : "ok");
        }
        return t.toString();
    }

    @Descriptor("store the API key of a provider (asked for without echo, or read as one line from the input)")
    public void keySet(CommandSession session, @Descriptor("the provider id") String provider) throws IOException {
        write(session, provider, false);
    }

    @Descriptor("replace the stored API key of a provider; the next request uses the new one")
    public void keyRotate(CommandSession session, @Descriptor("the provider id") String provider) throws IOException {
        write(session, provider, true);
    }

    @Descriptor("delete the stored API key of a provider")
    public String keyDelete(@Descriptor("the provider id") String provider) {
        return ProviderIds.isValid(provider) && store.delete(provider) ? "Deleted the key of provider " + provider
                + ".\n" : "No key is stored for provider " + provider + ".\n";
    }

    @Descriptor("let a held key follow its provider to the address its base URL moved to (a key is otherwise sent "
            + "only to the address it was stored for)")
    public String keyConfirm(@Descriptor("the provider id") String provider) {
        try {
            CredentialMetadata m = store.confirmMove(provider);
            return "Confirmed: the key of provider " + provider + " (fingerprint " + m.fingerprint()
                    + ") is now sent to " + m.origin() + ".\n";
        } catch (IllegalArgumentException | IllegalStateException e) {
            return "error: " + e.getMessage() + "\n";
        }
    }

    private void write(CommandSession session, String provider, boolean rotate) throws IOException {
        PrintStream out = session.getConsole();
        if (!ProviderIds.isValid(provider)) {
            out.println("error: '" + provider + "' is not a provider id (" + ProviderIds.RULE
                    + "); `moryflow:providers` lists them");
            return;
        }
        if (rotate && store.metadata(provider).isEmpty()) {
            out.println("error: no key is stored for provider " + provider + "; store one with `moryflow:key-set "
                    + provider + "`");
            return;
        }
        char[] key = readKey(session, "API key for " + provider + ": ");
        try {
            if (key == null || key.length == 0) {
                out.println("error: no key given; nothing changed");
                return;
            }
            CredentialMetadata m = rotate ? store.rotate(provider, key) : store.store(provider, key);
            out.println((rotate ? "Rotated" : "Stored") + " the key of provider " + provider + " (fingerprint "
                    + m.fingerprint() + "); the next request uses it.");
        } catch (IllegalArgumentException | IllegalStateException e) {
            out.println("error: " + e.getMessage());
        } finally {
            if (key != null) {
                Arrays.fill(key, '\0');
            }
        }
    }

    /** Without echo on the JVM's console when there is one, else one line of the session's input. */
    private static char[] readKey(CommandSession session, String prompt) throws IOException {
        Console console = System.console();
        if (console != null) {
            return console.readPassword("%s", prompt);
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(session.getKeyboard(), StandardCharsets.UTF_8));
        String line = in.readLine();
        return line == null ? null : line.trim().toCharArray();
    }

    private int warningDays() {
        try {
            Configuration[] c = configAdmin.listConfigurations("(service.pid=moryflow.credentials)");
            Dictionary<String, Object> p = c == null ? null : c[0].getProperties();
            Object v = p == null ? null : p.get("rotationWarningDays");
            return v == null ? DEFAULT_WARNING_DAYS : Integer.parseInt(v.toString().trim());
        } catch (IOException | org.osgi.framework.InvalidSyntaxException | NumberFormatException e) {
            return DEFAULT_WARNING_DAYS;
        }
    }
}
