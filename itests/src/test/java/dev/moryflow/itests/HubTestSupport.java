package dev.moryflow.itests;

import static org.ops4j.pax.exam.CoreOptions.bootDelegationPackage;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import org.ops4j.pax.exam.Option;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.osgi.util.tracker.ServiceTracker;

import dev.moryflow.chat.ChatService;
import dev.moryflow.credentials.CredentialMetadata;
import dev.moryflow.credentials.CredentialStore;
import dev.moryflow.provider.ProviderService;

/**
 * Shared Pax Exam options and helpers. Options are composed on the host side; test methods run inside Felix, where
 * {@link #context} and {@link #configAdmin} are injected. One framework per test class (PerClass).
 */
public abstract class HubTestSupport {

    /** Factory PID of OpenAI-compatible providers. */
    protected static final String OPENAI_FACTORY = "moryflow.provider.openai";
    /** Framework property naming this framework's scratch folder (credential store and deploy folder live there). */
    protected static final String WORK_DIR = "moryflow.data.dir";
    /** How long to wait for anything asynchronous. */
    protected static final long TIMEOUT_MS = 15_000;

    @Inject
    protected BundleContext context;

    @Inject
    protected ConfigurationAdmin configAdmin;

    /** A bundle built by this reactor, by the file path failsafe passes in (see itests/pom.xml). */
    protected static Option reactorBundle(String name) {
        String path = System.getProperty("itest.bundle." + name);
        if (path == null || path.startsWith("${")) {
            throw new IllegalStateException("system property itest.bundle." + name
                    + " is not set: run the integration tests through Maven (mvn verify)");
        }
        return bundle(new File(path).toURI().toString());
    }

    /** A fresh scratch folder for one framework, under itests/target/itest-work. */
    protected static String newWorkDir(String name) {
        try {
            Path base = Path.of(System.getProperty("itest.work", "target/itest-work"));
            Files.createDirectories(base);
            return Files.createTempDirectory(base, name + "-").toAbsolutePath().toString();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The hub's core: logging, DS, Config Admin, Metatype, EventAdmin, the libraries, and our api, http,
     * credentials, provider-openai and chat bundles.
     */
    protected static Option hubCore(String workDir) {
        return composite(
                bootDelegationPackage("com.sun.net.httpserver"),
                frameworkProperty(WORK_DIR).value(workDir),
                systemProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("WARN"),
                mavenBundle("org.ops4j.pax.logging", "pax-logging-api").versionAsInProject(),
                mavenBundle("org.ops4j.pax.logging", "pax-logging-log4j2").versionAsInProject(),
                mavenBundle("org.osgi", "org.osgi.util.function").versionAsInProject(),
                mavenBundle("org.osgi", "org.osgi.util.promise").versionAsInProject(),
                mavenBundle("org.osgi", "org.osgi.service.component").versionAsInProject(),
                mavenBundle("org.apache.felix", "org.apache.felix.configadmin").versionAsInProject(),
                mavenBundle("org.apache.felix", "org.apache.felix.metatype").versionAsInProject(),
                mavenBundle("org.apache.felix", "org.apache.felix.eventadmin").versionAsInProject(),
                mavenBundle("org.apache.felix", "org.apache.felix.scr").versionAsInProject(),
                mavenBundle("com.fasterxml.jackson.core", "jackson-annotations").versionAsInProject(),
                mavenBundle("com.fasterxml.jackson.core", "jackson-core").versionAsInProject(),
                mavenBundle("com.fasterxml.jackson.core", "jackson-databind").versionAsInProject(),
                mavenBundle("org.jetbrains.kotlin", "kotlin-osgi-bundle").versionAsInProject(),
                mavenBundle("com.squareup.okio", "okio-jvm").versionAsInProject(),
                mavenBundle("com.squareup.okhttp3", "okhttp-jvm").versionAsInProject(),
                reactorBundle("api"),
                reactorBundle("http"),
                reactorBundle("credentials"),
                reactorBundle("provider-openai"),
                reactorBundle("chat"),
                junitBundles(),
                cleanCaches(true));
    }

    /**
     * Builds a bundle jar from the classes of one package of this probe (the sub-packages {@code extra} and
     * {@code foreign} hold such bundles), with its own manifest, for installing at runtime.
     *
     * @param symbolicName  the bundle's symbolic name
     * @param activator     its activator, whose package is packed
     * @param importPackage the Import-Package header
     * @param minClasses    how many classes the package must give at least
     * @return the jar's bytes
     */
    protected byte[] bundleOf(String symbolicName, Class<?> activator, String importPackage, int minClasses)
            throws IOException {
        java.util.jar.Manifest mf = new java.util.jar.Manifest();
        java.util.jar.Attributes a = mf.getMainAttributes();
        a.put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", symbolicName);
        a.putValue("Bundle-Version", "1.0.0");
        a.putValue("Bundle-Activator", activator.getName());
        a.putValue("Import-Package", importPackage);
        String folder = activator.getPackageName().replace('.', '/');
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        int classes = 0;
        try (java.util.jar.JarOutputStream jar = new java.util.jar.JarOutputStream(bytes, mf)) {
            java.util.Enumeration<java.net.URL> entries = FrameworkUtil.getBundle(getClass())
                    .findEntries(folder, "*.class", false);
            while (entries != null && entries.hasMoreElements()) {
                java.net.URL url = entries.nextElement();
                String path = url.getPath().startsWith("/") ? url.getPath().substring(1) : url.getPath();
                jar.putNextEntry(new java.util.jar.JarEntry(path));
                try (java.io.InputStream in = url.openStream()) {
                    in.transferTo(jar);
                }
                jar.closeEntry();
                classes++;
            }
        }
        if (classes < minClasses) {
            throw new AssertionError("the probe holds " + classes + " classes of " + folder + ", expected "
                    + minClasses + " at least");
        }
        return bytes.toByteArray();
    }

    /** @return the installed bundle of that symbolic name */
    protected org.osgi.framework.Bundle installedBundle(String symbolicName) {
        for (org.osgi.framework.Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("no bundle " + symbolicName);
    }

    /** @return a free TCP port on this machine, reserved by asking the system for one */
    protected static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The HTTP server on 127.0.0.1 at {@code port}, with the doctor and the gateway ({@code /v1}, {@code /api}). */
    protected static Option gateway(int port) {
        return composite(
                frameworkProperty("org.osgi.service.http.port").value(String.valueOf(port)),
                frameworkProperty("org.apache.felix.http.host").value("127.0.0.1"),
                mavenBundle("org.apache.felix", "org.apache.felix.http.servlet-api").versionAsInProject(),
                mavenBundle("commons-io", "commons-io").versionAsInProject(),
                mavenBundle("commons-fileupload", "commons-fileupload").versionAsInProject(),
                mavenBundle("org.apache.felix", "org.apache.felix.http.jetty12").versionAsInProject(),
                reactorBundle("doctor"),
                reactorBundle("gateway"));
    }

    /** @return {@code http://127.0.0.1:<port>} of this framework's {@link #gateway(int)} */
    protected String gatewayBase() {
        return "http://127.0.0.1:" + context.getProperty("org.osgi.service.http.port");
    }

    /** The Felix Web Console with our webconsole bundle (needs {@link #gateway(int)}'s HTTP server). */
    protected static Option webConsole() {
        return composite(
                mavenBundle("org.apache.felix", "org.apache.felix.inventory").versionAsInProject(),
                mavenBundle("org.owasp.encoder", "encoder").versionAsInProject(),
                mavenBundle("org.apache.felix", "org.apache.felix.webconsole").versionAsInProject(),
                reactorBundle("webconsole"));
    }

    /** FileInstall watching {@code deploy} (made if missing) every 100 ms, writing changes back, as the runtime does. */
    protected static Option deployFolder(Path deploy) {
        return deployFolder(deploy, 100);
    }

    /** FileInstall watching {@code deploy} every {@code pollMillis} (the runtime: 1000), writing changes back. */
    protected static Option deployFolder(Path deploy, int pollMillis) {
        try {
            Files.createDirectories(deploy);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return composite(
                frameworkProperty("felix.fileinstall.dir").value(deploy.toString()),
                frameworkProperty("felix.fileinstall.poll").value(String.valueOf(pollMillis)),
                frameworkProperty("felix.fileinstall.disableNio2").value("true"),
                frameworkProperty("felix.fileinstall.noInitialDelay").value("true"),
                frameworkProperty("felix.fileinstall.enableConfigSave").value("true"),
                frameworkProperty("felix.fileinstall.filter").value(".*\\.(cfg|config|jar)"),
                mavenBundle("org.apache.felix", "org.apache.felix.fileinstall").versionAsInProject());
    }

    /** Sets the gateway token (once per framework) and waits until the credential store holds it. */
    protected void gatewayToken(String token) throws Exception {
        Configuration gw = configAdmin.getConfiguration("moryflow.gateway", "?");
        if (gw.getProperties() == null) {
            gw.update(props("token", token));
        }
        CredentialStore store = context.getService(awaitService(CredentialStore.class, ""));
        awaitCondition("the configured gateway token was not stored",
                () -> store.verify(CredentialStore.GATEWAY_TOKEN, token.toCharArray()));
    }

    /** PID of the Felix Web Console's configuration. */
    protected static final String OSGI_MANAGER = "org.apache.felix.webconsole.internal.servlet.OsgiManager";
    /** The line the webconsole bundle prints once for a new console password. */
    protected static final java.util.regex.Pattern PASSWORD_LINE = java.util.regex.Pattern.compile(
            "(?m)^Web Console password for user admin: ([A-Za-z0-9]{20})\\r?$");

    /**
     * Has a new Web Console password made, as the README says to when it is lost (remove the {@code password}
     * property of the console's configuration), and reads the line printed for it on standard output.
     *
     * @return the new password, printed once
     */
    protected String printedConsolePassword() throws Exception {
        awaitCondition("the Web Console configuration holds no password yet", () -> {
            Configuration[] c = configAdmin.listConfigurations("(service.pid=" + OSGI_MANAGER + ")");
            return c != null && c[0].getProperties().get("password") != null;
        });
        Configuration manager = configAdmin.getConfiguration(OSGI_MANAGER, null);
        Dictionary<String, Object> p = manager.getProperties();
        p.remove("password");
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        java.io.PrintStream original = System.out;
        System.setOut(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        String printed;
        try {
            manager.update(p);
            awaitCondition("no password line on standard output", () -> PASSWORD_LINE.matcher(
                    captured.toString(java.nio.charset.StandardCharsets.UTF_8)).find());
        } finally {
            System.setOut(original);
            printed = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        }
        java.util.regex.Matcher m = PASSWORD_LINE.matcher(printed);
        if (!m.find()) {
            throw new AssertionError(printed);
        }
        String password = m.group(1);
        if (m.find()) {
            throw new AssertionError("the password was printed twice");
        }
        return password;
    }

    /** Options of a test class: the core plus what the class adds. */
    protected static Option[] hub(String workDir, Option... more) {
        List<Option> all = new ArrayList<>();
        all.add(hubCore(workDir));
        Collections.addAll(all, more);
        return options(all.toArray(new Option[0]));
    }

    /** @return this framework's scratch folder */
    protected Path workDir() {
        return Path.of(context.getProperty(WORK_DIR));
    }

    protected static Dictionary<String, Object> props(Object... keyValues) {
        Hashtable<String, Object> d = new Hashtable<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            d.put((String) keyValues[i], keyValues[i + 1]);
        }
        return d;
    }

    /** Creates (or updates) the named factory configuration {@code moryflow.provider.openai~<id>}. */
    protected Configuration provider(String id, Object... keyValues) throws IOException {
        Configuration c = configAdmin.getFactoryConfiguration(OPENAI_FACTORY, id, "?");
        c.update(props(keyValues));
        return c;
    }

    /** Deletes every provider configuration and waits until no provider service is left. */
    protected void deleteProviders() throws Exception {
        Configuration[] all = configAdmin.listConfigurations("(service.factoryPid=" + OPENAI_FACTORY + ")");
        if (all != null) {
            for (Configuration c : all) {
                c.delete();
            }
        }
        try {
            awaitCondition("providers are still registered", () -> providerRefs(null) == null);
        } catch (AssertionError e) {
            StringBuilder left = new StringBuilder();
            ServiceReference<?>[] refs = providerRefs(null);
            for (ServiceReference<?> r : refs == null ? new ServiceReference<?>[0] : refs) {
                left.append(r.getProperty("provider.id")).append(" (service.pid ").append(r.getProperty("service.pid"))
                        .append(", bundle ").append(r.getBundle() == null ? "-" : r.getBundle().getSymbolicName())
                        .append(") ");
            }
            Configuration[] still = configAdmin.listConfigurations("(service.pid=moryflow.provider.*)");
            throw new AssertionError("left: " + left + "; configurations: "
                    + (still == null ? "none" : java.util.Arrays.toString(still)) + "; " + e.getMessage());
        }
    }

    /** Waits until the credential store holds a key for the provider (it moves keys out of configurations). */
    protected CredentialMetadata awaitKeyStored(String id) throws Exception {
        CredentialStore store = context.getService(awaitService(CredentialStore.class, ""));
        awaitCondition("no key stored for " + id, () -> store.metadata(id).isPresent());
        return store.metadata(id).orElseThrow();
    }

    /** Waits for the provider service with that id and returns its reference. */
    protected ServiceReference<ProviderService> awaitProvider(String id) throws Exception {
        ServiceReference<ProviderService> ref = awaitService(ProviderService.class, "(provider.id=" + id + ")");
        // a tracker sees the new service while the framework is still telling other listeners, such as the chat
        // bundle, about it: wait until routing knows the provider's models too
        Object models = ref.getProperty(ProviderService.PROVIDER_MODELS);
        if (models instanceof String[] && ((String[]) models).length > 0) {
            awaitCondition("provider " + id + " is registered but not routable",
                    () -> chatService().models().stream().anyMatch(m -> m.providerId().equals(id)));
        }
        return ref;
    }

    protected <T> ServiceReference<T> awaitService(Class<T> type, String filter) throws Exception {
        Filter f = FrameworkUtil.createFilter("(&(objectClass=" + type.getName() + ")" + filter + ")");
        ServiceTracker<T, T> tracker = new ServiceTracker<>(context, f, null);
        tracker.open();
        try {
            if (tracker.waitForService(TIMEOUT_MS) == null) {
                throw new AssertionError("no service " + f + " within " + TIMEOUT_MS + " ms" + configThreads());
            }
            return tracker.getServiceReference();
        } finally {
            tracker.close();
        }
    }

    protected ChatService chatService() throws Exception {
        return context.getService(awaitService(ChatService.class, ""));
    }

    /** Waits until the provider service with that id is gone. */
    protected void awaitNoProvider(String id) throws Exception {
        awaitCondition("provider " + id + " is still registered", () -> providerRefs("(provider.id=" + id + ")") == null);
    }

    protected ServiceReference<?>[] providerRefs(String filter) throws InvalidSyntaxException {
        return context.getServiceReferences(ProviderService.class.getName(), filter);
    }

    /**
     * @return where Config Admin's threads are, for a failure that waited for a configuration to take effect (a
     *         configuration change that never arrives is a blocked updater more often than a lost event)
     */
    protected static String configThreads() {
        StringBuilder s = new StringBuilder();
        Thread.getAllStackTraces().forEach((t, stack) -> {
            if (t.getName().startsWith("CM ")) {
                s.append("\n  thread ").append(t.getName()).append(" ").append(t.getState());
                for (int i = 0; i < Math.min(stack.length, 25); i++) {
                    s.append("\n    at ").append(stack[i]);
                }
            }
        });
        return s.toString();
    }

    /** Waits as {@link #awaitCondition(String, Callable)} does; the failure is described when it is one. */
    protected static void awaitCondition(Callable<String> failure, Callable<Boolean> condition) throws Exception {
        try {
            awaitCondition("", condition);
        } catch (AssertionError e) {
            throw new AssertionError(failure.call() + e.getMessage()); // no cause: Pax Exam reports the root cause only
        }
    }

    /** Waits (checking every 20 ms, at most {@link #TIMEOUT_MS}) for a condition to hold. */
    protected static void awaitCondition(String failure, Callable<Boolean> condition) throws Exception {
        awaitCondition(failure, TIMEOUT_MS, condition);
    }

    /**
     * Waits (checking every 20 ms, at most {@code timeoutMs}) for a condition to hold. A configuration the condition
     * reads that is deleted as it reads it (Config Admin's {@code IllegalStateException: Configuration ... deleted};
     * the hub deletes and makes configurations again, FileInstall too) counts as not holding yet.
     */
    protected static void awaitCondition(String failure, long timeoutMs, Callable<Boolean> condition)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!holds(condition)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure + " (waited " + timeoutMs + " ms)" + configThreads());
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    private static boolean holds(Callable<Boolean> condition) throws Exception {
        try {
            return Boolean.TRUE.equals(condition.call());
        } catch (IllegalStateException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("Configuration ")
                    && e.getMessage().endsWith(" deleted")) {
                return false;
            }
            throw e;
        }
    }

    /** Records every moryflow event posted while it is open. */
    protected final class EventRecorder implements EventHandler, AutoCloseable {
        private final List<Event> events = Collections.synchronizedList(new ArrayList<>());
        private final ServiceRegistration<EventHandler> registration;

        public EventRecorder() {
            registration = context.registerService(EventHandler.class, this,
                    props(EventConstants.EVENT_TOPIC, new String[] { "moryflow/*" }));
        }

        @Override
        public void handleEvent(Event event) {
            events.add(event);
        }

        public List<Event> events() {
            synchronized (events) {
                return new ArrayList<>(events);
            }
        }

        /** Waits for an event of the topic whose provider.id is the given one. */
        public Event await(String topic, String providerId) throws Exception {
            Event[] found = new Event[1];
            awaitCondition("no event " + topic + " for provider " + providerId, () -> {
                for (Event e : events()) {
                    if (e.getTopic().equals(topic) && providerId.equals(e.getProperty("provider.id"))) {
                        found[0] = e;
                        return true;
                    }
                }
                return false;
            });
            return found[0];
        }

        @Override
        public void close() {
            registration.unregister();
        }
    }
}
