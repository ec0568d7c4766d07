package dev.moryflow.webconsole.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the Web Console a password of its own when nobody set one: without it, Felix's console lets in
 * admin/admin. A password is set when the framework property {@code felix.webconsole.password} or the
 * {@code password} property of the console's configuration ({@link #PID}) is there and not blank; such a password
 * is never touched. The console's own default (see {@link #CONSOLE_DEFAULT}) is no password. Otherwise a random
 * one is made, stored hashed ({@link ConsolePasswordHash}) in that configuration, every other property of which is
 * kept, and printed once on standard output (never in a log).
 */
final class FirstPassword {

    /** The Web Console's configuration (Felix Web Console 5: {@code OsgiManager}). */
    static final String PID = "org.apache.felix.webconsole.internal.servlet.OsgiManager";
    static final String FRAMEWORK_PASSWORD = "felix.webconsole.password";
    static final String FRAMEWORK_USERNAME = "felix.webconsole.username";
    static final String PASSWORD = "password";
    static final String USERNAME = "username";
    /**
     * What the Web Console writes into its configuration by itself when that configuration has no password (its
     * {@code DEFAULT_PASSWORD}: "admin", hashed without salt). Only the console writes it; a password typed in its
     * form is stored salted. Counts as no password.
     */
    static final String CONSOLE_DEFAULT = "{sha-256}jGl25bVBBBW96Qi9Te4V37Fnqchz/Eu4qB9vKrRIqRg=";
    static final int LENGTH = 20;
    private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
            .toCharArray();

    private final Logger logger = LoggerFactory.getLogger(FirstPassword.class);
    private final ConfigurationAdmin configAdmin;
    private final UnaryOperator<String> frameworkProperty;
    private final Supplier<PrintStream> out;
    private final SecureRandom random;

    /**
     * @param frameworkProperty reads a framework property ({@code BundleContext::getProperty})
     * @param out               where the new password is printed: standard output as it is at that moment
     */
    FirstPassword(ConfigurationAdmin configAdmin, UnaryOperator<String> frameworkProperty, Supplier<PrintStream> out,
            SecureRandom random) {
        this.configAdmin = configAdmin;
        this.frameworkProperty = frameworkProperty;
        this.out = out;
        this.random = random;
    }

    /**
     * Makes, stores and prints a password if none is set.
     *
     * @return whether a password was made
     */
    synchronized boolean ensure() {
        return ensure(false);
    }

    /**
     * Like {@link #ensure()}, after a change of the console's configuration: a configuration left without a
     * password is the console's to answer first (it writes its default into it, which brings another change), so
     * only its default counts as none here.
     */
    synchronized boolean ensureAfterChange() {
        return ensure(true);
    }

    private boolean ensure(boolean onlyTheConsoleDefault) {
        if (!blank(frameworkProperty.apply(FRAMEWORK_PASSWORD))) {
            logger.debug("The Web Console password comes from the framework property {}; left as it is.",
                    FRAMEWORK_PASSWORD);
            return false;
        }
        try {
            Configuration existing = find();
            Dictionary<String, Object> props = existing == null ? null : existing.getProperties();
            Object current = props == null ? null : props.get(PASSWORD);
            if (onlyTheConsoleDefault && props != null && !CONSOLE_DEFAULT.equals(current)) {
                return false;
            }
            if (current != null && !blank(String.valueOf(current)) && !CONSOLE_DEFAULT.equals(current)) {
                logger.debug("The Web Console password is set in configuration {}; left as it is.", PID);
                return false;
            }
            Configuration config = existing != null ? existing : configAdmin.getConfiguration(PID, null);
            Dictionary<String, Object> updated = new Hashtable<>();
            if (props != null) {
                for (var keys = props.keys(); keys.hasMoreElements();) {
                    String k = keys.nextElement();
                    updated.put(k, props.get(k));
                }
            }
            String user = username(props);
            char[] password = newPassword();
            try {
                updated.put(PASSWORD, ConsolePasswordHash.hash(password, random));
                config.update(updated);
                PrintStream stdout = out.get();
                stdout.println("Web Console password for user " + user + ": " + new String(password));
                stdout.flush();
            } finally {
                Arrays.fill(password, '\0');
            }
            logger.info("Made a Web Console password for user {}: stored hashed in configuration {} and printed "
                    + "once on standard output, not in the log. To set your own, change the password property of "
                    + "that configuration (Web Console: OSGi > Configuration > Apache Felix OSGi Management Console) "
                    + "or set the framework property {}.", user, PID, FRAMEWORK_PASSWORD);
            return true;
        } catch (IOException | InvalidSyntaxException | RuntimeException e) {
            logger.warn("Could not store a Web Console password in configuration {} ({}): the console keeps "
                    + "Felix's default admin/admin. Set one yourself with the framework property {} in "
                    + "conf/config.properties, or the password property of that configuration.", PID, e.toString(),
                    FRAMEWORK_PASSWORD);
            return false;
        }
    }

    private Configuration find() throws IOException, InvalidSyntaxException {
        Configuration[] found = configAdmin.listConfigurations("(" + org.osgi.framework.Constants.SERVICE_PID + "="
                + PID + ")");
        return found == null || found.length == 0 ? null : found[0];
    }

    private String username(Dictionary<String, Object> props) {
        Object configured = props == null ? null : props.get(USERNAME);
        if (configured != null && !blank(String.valueOf(configured))) {
            return String.valueOf(configured);
        }
        String framework = frameworkProperty.apply(FRAMEWORK_USERNAME);
        return blank(framework) ? "admin" : framework;
    }

    private char[] newPassword() {
        char[] p = new char[LENGTH];
        for (int i = 0; i < p.length; i++) {
            p[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return p;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
