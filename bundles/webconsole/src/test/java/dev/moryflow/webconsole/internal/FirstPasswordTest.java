package dev.moryflow.webconsole.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

public class FirstPasswordTest {

    private static final Pattern LINE = Pattern.compile("^Web Console password for user (\\S+): ([A-Za-z0-9]{20})$",
            Pattern.MULTILINE);

    /** Config Admin holding at most the one configuration, as a real one would: null properties = not there. */
    private final class FakeConfigAdmin {
        Dictionary<String, Object> stored;
        int updates;
        boolean failUpdates;

        ConfigurationAdmin admin() {
            Configuration config = (Configuration) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] { Configuration.class }, (p, m, args) -> {
                        switch (m.getName()) {
                        case "getPid":
                            return FirstPassword.PID;
                        case "getProperties":
                            return stored == null ? null : copy(stored);
                        case "update":
                            if (failUpdates) {
                                throw new IOException("disk full");
                            }
                            @SuppressWarnings("unchecked")
                            Dictionary<String, Object> d = (Dictionary<String, Object>) args[0];
                            stored = copy(d);
                            updates++;
                            return null;
                        default:
                            throw new UnsupportedOperationException(m.getName());
                        }
                    });
            return (ConfigurationAdmin) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] { ConfigurationAdmin.class }, (p, m, args) -> {
                        switch (m.getName()) {
                        case "listConfigurations":
                            assertEquals("(service.pid=" + FirstPassword.PID + ")", args[0]);
                            return stored == null ? null : new Configuration[] { config };
                        case "getConfiguration":
                            assertEquals(FirstPassword.PID, args[0]);
                            assertNull("the configuration must stay unbound so that the Web Console gets it",
                                    args.length > 1 ? args[1] : "bound to the caller");
                            return config;
                        default:
                            throw new UnsupportedOperationException(m.getName());
                        }
                    });
        }
    }

    private static Dictionary<String, Object> copy(Dictionary<String, Object> d) {
        Hashtable<String, Object> c = new Hashtable<>();
        for (var keys = d.keys(); keys.hasMoreElements();) {
            String k = keys.nextElement();
            c.put(k, d.get(k));
        }
        return c;
    }

    private final FakeConfigAdmin ca = new FakeConfigAdmin();
    private final Map<String, String> framework = new HashMap<>();
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();

    private boolean run() {
        return new FirstPassword(ca.admin(), framework::get,
                () -> new PrintStream(stdout, true, StandardCharsets.UTF_8), new SecureRandom()).ensure();
    }

    private String printed() {
        return stdout.toString(StandardCharsets.UTF_8);
    }

    @Test
    public void withoutAnyPasswordOneIsMadeStoredHashedAndPrintedOnceOnItsOwnLine() throws Exception {
        assertTrue(run());
        Matcher m = LINE.matcher(printed());
        assertTrue(printed(), m.find());
        assertEquals("admin", m.group(1));
        String password = m.group(2);
        assertFalse("printed once", m.find());
        assertEquals(1, printed().lines().count());
        String stored = (String) ca.stored.get("password");
        assertTrue(stored, stored.startsWith("{sha-256}"));
        assertFalse("never stored in clear", stored.contains(password));
        String salt = stored.substring("{sha-256}".length(), stored.indexOf('-', "{sha-256}".length()));
        assertEquals(stored, ConsolePasswordHash.hash(password.toCharArray(), salt, 1000));
    }

    @Test
    public void theNextStartKeepsTheMadePasswordAndPrintsNothing() {
        assertTrue(run());
        Object first = ca.stored.get("password");
        stdout.reset();
        assertFalse(run());
        assertEquals(first, ca.stored.get("password"));
        assertEquals("", printed());
        assertEquals(1, ca.updates);
    }

    @Test
    public void aPasswordInTheConfigurationIsNeverReplaced() {
        ca.stored = new Hashtable<>(Map.of("password", "my-own-plain-password", "username", "boss"));
        assertFalse(run());
        assertEquals("my-own-plain-password", ca.stored.get("password"));
        assertEquals(0, ca.updates);
        assertEquals("", printed());
    }

    @Test
    public void aPasswordFromTheFrameworkPropertyIsNeverReplaced() {
        framework.put("felix.webconsole.password", "from-config-properties");
        assertFalse(run());
        assertNull(ca.stored);
        assertEquals("", printed());
    }

    @Test
    public void everyOtherPropertyOfTheConsolesConfigurationIsKeptAndTheUserNamedIsTheConfiguredOne() {
        ca.stored = new Hashtable<>(Map.of("username", "boss", "manager.root", "/system/console",
                "plugins", new String[] { "a", "b" }));
        assertTrue(run());
        assertEquals("boss", ca.stored.get("username"));
        assertEquals("/system/console", ca.stored.get("manager.root"));
        assertEquals(2, ((String[]) ca.stored.get("plugins")).length);
        assertTrue(printed(), printed().startsWith("Web Console password for user boss: "));
    }

    @Test
    public void aBlankPasswordCountsAsNone() {
        ca.stored = new Hashtable<>(Map.of("password", " "));
        framework.put("felix.webconsole.password", "");
        framework.put("felix.webconsole.username", "operator");
        assertTrue(run());
        assertTrue(printed(), printed().startsWith("Web Console password for user operator: "));
    }

    @Test
    public void theDefaultTheConsoleWritesByItselfCountsAsNone() {
        // Web Console 5.0.18 writes its default (admin, unsalted) into a configuration that has no password
        ca.stored = new Hashtable<>(Map.of("password", FirstPassword.CONSOLE_DEFAULT));
        assertTrue(run());
        assertFalse(FirstPassword.CONSOLE_DEFAULT.equals(ca.stored.get("password")));
        assertEquals(1, printed().lines().count());
    }

    @Test
    public void afterAChangeOnlyTheConsolesDefaultIsReplacedAConfigurationWithoutPasswordIsTheConsolesToAnswer() {
        FirstPassword p = new FirstPassword(ca.admin(), framework::get,
                () -> new PrintStream(stdout, true, StandardCharsets.UTF_8), new SecureRandom());
        ca.stored = new Hashtable<>(Map.of("username", "admin"));
        assertFalse(p.ensureAfterChange());
        assertEquals("", printed());
        ca.stored = new Hashtable<>(Map.of("username", "admin", "password", FirstPassword.CONSOLE_DEFAULT));
        assertTrue(p.ensureAfterChange());
        assertFalse(p.ensureAfterChange());
        assertEquals(1, printed().lines().count());
    }

    @Test
    public void aSaltedAdminTypedIntoTheConsolesFormIsTheUsersOwnAndKept() {
        String typed = ConsolePasswordHash.hash("admin".toCharArray(), new SecureRandom());
        ca.stored = new Hashtable<>(Map.of("password", typed));
        assertFalse(run());
        assertEquals(typed, ca.stored.get("password"));
    }

    @Test
    public void whenConfigAdminCannotStoreItNothingIsPrinted() {
        ca.failUpdates = true;
        assertFalse(run());
        assertEquals("", printed());
    }
}
