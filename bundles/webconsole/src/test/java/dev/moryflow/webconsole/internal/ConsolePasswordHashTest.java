package dev.moryflow.webconsole.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

import org.junit.Test;

public class ConsolePasswordHashTest {

    /** The Web Console's own check: {@code new Password(stored).matches(typed)} (5.0.18, package-private). */
    private static boolean consoleAccepts(String stored, String typed) throws Exception {
        Class<?> password = Class.forName("org.apache.felix.webconsole.internal.servlet.Password");
        Constructor<?> c = password.getDeclaredConstructor(String.class);
        c.setAccessible(true);
        Method matches = password.getDeclaredMethod("matches", byte[].class);
        matches.setAccessible(true);
        return (Boolean) matches.invoke(c.newInstance(stored), (Object) typed.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    public void theWebConsoleAcceptsOurHashForThePasswordAndNothingElse() throws Exception {
        String stored = ConsolePasswordHash.hash("s3cret-Passw0rd".toCharArray(), new SecureRandom());
        assertTrue(stored, consoleAccepts(stored, "s3cret-Passw0rd"));
        assertFalse(consoleAccepts(stored, "s3cret-Passw0rD"));
        assertFalse(consoleAccepts(stored, "admin"));
        assertFalse(consoleAccepts(stored, ""));
    }

    @Test
    public void theFormatIsSaltedIteratedSha256() {
        String stored = ConsolePasswordHash.hash("x".toCharArray(), new SecureRandom());
        assertTrue(stored, stored.matches("\\{sha-256\\}[0-9a-f]{16}-1000-[A-Za-z0-9+/]{43}="));
        assertTrue(ConsolePasswordHash.isHashed(stored));
        assertFalse(ConsolePasswordHash.isHashed("admin"));
    }

    @Test
    public void twoHashesOfOnePasswordDifferByTheirSalt() {
        SecureRandom random = new SecureRandom();
        assertNotEquals(ConsolePasswordHash.hash("same".toCharArray(), random),
                ConsolePasswordHash.hash("same".toCharArray(), random));
    }

    @Test
    public void oneUnsaltedRoundIsTheConsolesOwnDefaultForAdmin() {
        // OsgiManager.DEFAULT_PASSWORD of Web Console 5.0.18 is "admin" hashed without salt, one round
        assertEquals("{sha-256}-1-jGl25bVBBBW96Qi9Te4V37Fnqchz/Eu4qB9vKrRIqRg=",
                ConsolePasswordHash.hash("admin".toCharArray(), "", 1));
    }

    @Test
    public void nonAsciiPasswordsAreHashedAsUtf8LikeTheConsoleDoes() throws Exception {
        String stored = ConsolePasswordHash.hash("pässwörd€".toCharArray(), new SecureRandom());
        assertTrue(consoleAccepts(stored, "pässwörd€"));
    }
}
