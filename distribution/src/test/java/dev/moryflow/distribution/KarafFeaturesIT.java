package dev.moryflow.distribution;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeFalse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * The features repository in a real, stock Apache Karaf (the {@code apache-karaf} tar.gz from Maven Central,
 * unpacked by the build into target/karaf), as a Karaf user would use it: {@code feature:repo-add} of
 * {@code mvn:dev.moryflow/moryflow-features/<version>/xml/features}, {@code feature:install moryflow}, a provider
 * file in {@code etc/}, commands through {@code bin/client}. Karaf runs as {@code bin/karaf server} on free ports
 * (ssh, RMI registry and server, pax-web, the hub's Felix HTTP); the hub's bundles come from a folder in Maven
 * layout (target/karaf-repo), Karaf's own from its system/ folder and the build's Maven local repository. It is killed
 * after the test, also when it fails. Skipped with -Dkaraf.skip=true.
 */
public class KarafFeaturesIT {

    /** The whole test, Karaf's start aside (at most {@link #WAIT}): bounded, even when every wait runs out. */
    @Rule
    public final Timeout bounded = Timeout.seconds(360);

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String KEY = "sk-karaf-KEEPS-" + UUID.randomUUID();
    private static final String TOKEN = "karaf-gateway-token-" + UUID.randomUUID();
    private static final Pattern BUNDLE_LINE = Pattern.compile(
            "^\\s*(\\d+)\\s*\\|\\s*(\\w+)\\s*\\|\\s*(\\d+)\\s*\\|\\s*(\\S+)\\s*\\|\\s*(.*?)\\s*$");
    /** etc/org.apache.felix.http.cfg as a user writes it before the install, with the port to take. */
    private static final String USER_HTTP_CONFIG = "# the hub's HTTP server, local only\n"
            + "org.apache.felix.http.host = 127.0.0.1\norg.osgi.service.http.port = %d\n";
    private static final Pattern ANSI = Pattern.compile("\u001B\\[[;\\d]*[A-Za-z]");

    private static Path home;
    private static Process karaf;
    private static String password;
    private static int sshPort;
    private static int httpPort;
    private static FakeOpenAiUpstream upstream;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** One bundle as Karaf lists it, with its last-modified time. */
    record BundleState(long id, String state, int level, String version, String name, String symbolicName,
            long lastModified) {
    }

    @BeforeClass
    public static void startKaraf() throws Exception {
        assumeFalse("Karaf test skipped (-Dkaraf.skip=true)", Boolean.getBoolean("moryflow.karaf.skip"));
        Path dist = TestPaths.fromProperty("karaf.dist");
        Path repo = TestPaths.fromProperty("karaf.repo");
        assertTrue("no Karaf unpacked at " + dist, Files.isExecutable(dist.resolve("bin/karaf")));
        assertTrue("no repository of the hub's bundles at " + repo, Files.isDirectory(repo.resolve("dev/moryflow")));
        home = TestPaths.fromProperty("karaf.run");
        deleteTree(home);
        RunningHub.copy(dist, home);

        sshPort = RunningHub.freePort();
        httpPort = RunningHub.freePort();
        password = UUID.randomUUID().toString();
        edit("etc/org.apache.karaf.shell.cfg", Map.of("sshPort", String.valueOf(sshPort), "sshHost", "127.0.0.1"));
        edit("etc/org.apache.karaf.management.cfg", Map.of("rmiRegistryPort",
                String.valueOf(RunningHub.freePort()), "rmiServerPort", String.valueOf(RunningHub.freePort())));
        // pax-web, should a feature bring it: away from a 8181 someone else may use
        Files.writeString(home.resolve("etc/org.ops4j.pax.web.cfg"),
                "org.osgi.service.http.port = " + RunningHub.freePort() + "\n");
        // the user's own file, written before the install for a port of their own: the feature leaves it as it is
        Files.writeString(home.resolve("etc/org.apache.felix.http.cfg"), USER_HTTP_CONFIG.formatted(httpPort));
        Files.writeString(home.resolve("etc/users.properties"), "karaf = " + password + ",_g_:admingroup\n"
                + "_g_\\:admingroup = group,admin,manager,viewer,systembundles,ssh\n");
        // the hub's bundles from target/karaf-repo; Karaf's from its system/ folder and the build's Maven local
        // repository (the scr feature's bundles: fetched from Maven Central by Karaf when they are not there yet)
        String mvn = Files.readString(home.resolve("etc/org.ops4j.pax.url.mvn.cfg"), StandardCharsets.UTF_8);
        mvn = mvn.replace("org.ops4j.pax.url.mvn.defaultRepositories=\\", "org.ops4j.pax.url.mvn.defaultRepositories="
                + repo.toUri() + "@id=moryflow@snapshots, \\");
        mvn += "\norg.ops4j.pax.url.mvn.localRepository=" + System.getProperty("karaf.localRepository") + "\n";
        Files.writeString(home.resolve("etc/org.ops4j.pax.url.mvn.cfg"), mvn, StandardCharsets.UTF_8);

        Runtime.getRuntime().addShutdownHook(new Thread(KarafFeaturesIT::kill));
        launch();
    }

    /** Starts {@code bin/karaf server} and waits until it has booted. */
    private static void launch() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/karaf").toString(), "server").directory(home.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(
                        home.resolve("console.log").toFile()));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("KARAF_OPTS");
        karaf = pb.start();

        // booted: every bundle Active (fragments Resolved), and the list the same twice in a row
        List<List<BundleState>> seen = new ArrayList<>();
        awaitCondition("Karaf did not boot (bin/client bundle:list)", () -> {
            List<BundleState> now = bundles();
            boolean settled = now.size() > 30 && now.stream().allMatch(KarafFeaturesIT::settled)
                    && !seen.isEmpty() && seen.get(seen.size() - 1).equals(now);
            seen.add(now);
            return settled;
        });
    }

    @AfterClass
    public static void stopKaraf() {
        kill();
        if (upstream != null) {
            upstream.close();
        }
    }

    private static void kill() {
        if (karaf == null || !karaf.isAlive()) {
            return;
        }
        karaf.descendants().forEach(ProcessHandle::destroyForcibly);
        karaf.destroy();
        try {
            if (!karaf.waitFor(20, TimeUnit.SECONDS)) {
                karaf.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            karaf.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Test
    public void moryflowInstallsBesideKarafsOwnBundlesWithoutTouchingThemAndKeepsItsKeysAcrossAReinstallAndAWipedCache()
            throws Exception {
        String version = System.getProperty("moryflow.version");
        Map<Long, BundleState> before = byId(bundles());
        Path log = home.resolve("data/log/karaf.log");
        long logOffset = Files.size(log);

        // the user's etc/org.apache.felix.http.cfg is a configuration before the install (Karaf's FileInstall reads
        // etc/ while it boots, so under load it may come after the bundles settled)
        awaitCondition("etc/org.apache.felix.http.cfg was not read by Karaf", () -> client(
                "config:list \"(service.pid=org.apache.felix.http)\"").contains(String.valueOf(httpPort)));
        String added = client("feature:repo-add mvn:dev.moryflow/moryflow-features/" + version + "/xml/features");
        assertTrue(added, added.contains("Adding feature url"));
        String installed = client("feature:install moryflow");
        assertTrue("feature:install moryflow printed: " + installed, installed.isBlank());
        awaitCondition("the hub's bundles did not all become Active", () -> {
            List<BundleState> now = bundles();
            return now.stream().filter(b -> b.name().startsWith("MoryFlow")).count() == 10
                    && now.stream().allMatch(KarafFeaturesIT::settled);
        });

        // nothing of Karaf's own changed: same bundles, states, start levels, versions, not updated or reinstalled
        Map<Long, BundleState> after = byId(bundles());
        List<String> changed = new ArrayList<>();
        for (BundleState b : before.values()) {
            BundleState now = after.get(b.id());
            if (!b.equals(now)) {
                changed.add(b + " -> " + now);
            }
        }
        assertTrue("Karaf's own bundles changed:\n" + String.join("\n", changed), changed.isEmpty());
        List<String> levels = after.values().stream().filter(b -> !before.containsKey(b.id()) && b.level() != 80
                && !b.symbolicName().startsWith("org.apache.karaf.") && !b.symbolicName().startsWith("org.osgi.")
                && !b.symbolicName().equals("org.apache.felix.scr")).map(BundleState::toString).toList();
        assertTrue("bundles of the hub not at start level 80: " + levels, levels.isEmpty());
        // and Karaf stopped, refreshed, updated or uninstalled nothing for it
        byte[] logBytes = Files.readAllBytes(log);
        List<String> deployer = deployerSections(new String(logBytes, (int) logOffset, logBytes.length - (int) logOffset,
                StandardCharsets.UTF_8));
        List<String> disturbing = deployer.stream().filter(s -> s.startsWith("Stopping") || s.startsWith("Refreshing")
                || s.startsWith("Updating") || s.startsWith("Uninstalling")).toList();
        assertTrue("feature:install moryflow made Karaf do: " + disturbing, disturbing.isEmpty());

        // one shell, one EventAdmin, one SCR
        assertTrue("a Gogo runtime of its own: " + after.values(), after.values().stream()
                .noneMatch(b -> b.symbolicName().startsWith("org.apache.felix.gogo")));
        String exporters = client("package:exports -p org.apache.felix.service.command");
        assertEquals(exporters, 1, exporters.lines().filter(l -> l.startsWith("org.apache.felix.service.command")).count());
        assertTrue(exporters, exporters.contains("org.apache.karaf.shell.core"));
        assertEquals(1, services("org.osgi.service.event.EventAdmin"));
        assertEquals(1, services("org.osgi.service.component.runtime.ServiceComponentRuntime"));
        assertEquals("SCR bundles: " + after.values(), 1, after.values().stream()
                .filter(b -> b.symbolicName().equals("org.apache.felix.scr")).count());

        // the hub's HTTP server: the user's etc/org.apache.felix.http.cfg as they wrote it (the feature's defaults,
        // 127.0.0.1:8080, are only for a Karaf without one), no admin/admin
        assertEquals(USER_HTTP_CONFIG.formatted(httpPort), Files.readString(home.resolve(
                "etc/org.apache.felix.http.cfg"), StandardCharsets.UTF_8));
        assertEquals(401, get("/system/console/bundles", "admin", "admin").statusCode());
        Matcher printed = Pattern.compile("Web Console password for user admin: (\\S+)").matcher(
                Files.readString(home.resolve("console.log"), StandardCharsets.UTF_8));
        assertTrue("no Web Console password printed on Karaf's console", printed.find());
        assertEquals(200, get("/system/console/bundles", "admin", printed.group(1)).statusCode());

        // a provider file in etc/ (Karaf's FileInstall), its key moved out of the file, a chat through /v1
        upstream = new FakeOpenAiUpstream();
        Files.writeString(home.resolve("etc/moryflow.gateway.cfg"), "token = " + TOKEN + "\n");
        Path providerFile = home.resolve("etc/moryflow.provider.openai-karafit.cfg");
        Files.writeString(providerFile, "name = Karaf IT\nbaseUrl = " + upstream.baseUrl() + "\nmodels = chat-model\n"
                + "apiKey = " + KEY + "\n");
        awaitCondition("moryflow:providers does not show provider karafit with its key", () -> {
            String providers = client("moryflow:providers");
            return providers.lines().anyMatch(l -> l.startsWith("karafit ") && l.contains(" set "));
        });
        awaitCondition("the key stayed in " + providerFile, () -> !Files.readString(providerFile).contains(KEY));
        assertTrue("no credential store in Karaf's data folder", Files.isRegularFile(
                home.resolve("data/moryflow/credentials/credentials.store")));
        chat("hello from Karaf");

        // another port in etc/org.apache.felix.http.cfg while the hub runs: Felix HTTP restarts on it, the gateway
        // answers there
        int moved = RunningHub.freePort();
        edit("etc/org.apache.felix.http.cfg", Map.of("org.osgi.service.http.port", String.valueOf(moved)));
        httpPort = moved;
        awaitCondition("the gateway does not answer on the new port " + moved, () -> {
            try {
                return get("/v1/models", null, null).statusCode() == 401;
            } catch (IOException notYet) {
                return false;
            }
        });
        chat("hello on another port");

        // uninstall and install again: the key (and the gateway token) are still there
        client("feature:uninstall moryflow");
        awaitCondition("the hub's bundles stayed after feature:uninstall", () -> bundles().stream()
                .noneMatch(b -> b.name().startsWith("MoryFlow")));
        String again = client("feature:install moryflow");
        assertTrue("feature:install moryflow printed: " + again, again.isBlank());
        awaitCondition("after a reinstall, moryflow:providers does not show provider karafit with its key", () -> {
            String providers = client("moryflow:providers");
            return providers.lines().anyMatch(l -> l.startsWith("karafit ") && l.contains(" set "));
        });
        chat("hello again");

        // a wiped bundle cache (Karaf forgets every installed feature): the keys are still there
        kill();
        deleteTree(home.resolve("data/cache"));
        launch();
        client("feature:repo-add mvn:dev.moryflow/moryflow-features/" + version + "/xml/features");
        String third = client("feature:install moryflow");
        assertTrue("feature:install moryflow printed: " + third, third.isBlank());
        awaitCondition("after a wiped bundle cache, moryflow:providers does not show provider karafit with its key",
                () -> {
                    String providers = client("moryflow:providers");
                    return providers.lines().anyMatch(l -> l.startsWith("karafit ") && l.contains(" set "));
                });
        chat("hello after a clean cache");

        List<String> errors = Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                .filter(l -> l.contains("| ERROR |")).toList();
        assertTrue("ERROR in data/log/karaf.log:\n" + String.join("\n", errors), errors.isEmpty());
        String whole = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue("the key is in karaf.log", !whole.contains(KEY) && !whole.contains(TOKEN));
    }

    /** A whole chat through the gateway's /v1; the upstream got the provider's key. */
    private static void chat(String message) throws Exception {
        String body = "{\"model\":\"karafit/chat-model\",\"messages\":[{\"role\":\"user\",\"content\":\"" + message
                + "\"}]}";
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + httpPort + "/v1/chat/completions")).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(answer.body(), 200, answer.statusCode());
        assertTrue(answer.body(), answer.body().contains(FakeOpenAiUpstream.ANSWER));
        FakeOpenAiUpstream.Request sent = upstream.last();
        assertTrue(sent.body(), sent.body().contains(message));
        assertEquals("Bearer " + KEY, sent.authorization());
    }

    /** GET on the hub's HTTP server, with Basic authentication when a user is given. */
    private static HttpResponse<String> get(String path, String user, String pass) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(Duration.ofSeconds(30));
        if (user != null) {
            b.header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                    (user + ":" + pass).getBytes(StandardCharsets.UTF_8)));
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** @return how many services of the class Karaf lists */
    private static long services(String objectClass) throws Exception {
        String out = client("service:list " + objectClass);
        return out.lines().filter(l -> l.trim().equals("[" + objectClass + "]")).count();
    }

    /** @return the headings of the feature deployer's steps ("Installing bundles:", ...) with their lines */
    static List<String> deployerSections(String log) {
        List<String> sections = new ArrayList<>();
        StringBuilder current = null;
        for (String line : log.split("\\R")) {
            String[] parts = line.split(" \\| ", 6);
            if (parts.length < 6 || !parts[3].trim().equals("FeaturesServiceImpl")) {
                continue;
            }
            String message = parts[5];
            if (!message.startsWith(" ")) {
                if (current != null) {
                    sections.add(current.toString());
                }
                current = new StringBuilder(message.trim());
            } else if (current != null) {
                current.append(' ').append(message.trim());
            }
        }
        if (current != null) {
            sections.add(current.toString());
        }
        return sections;
    }

    private static boolean settled(BundleState b) {
        return b.state().equals("Active") || b.state().equals("Resolved") && b.name().contains("Hosts:");
    }

    private static Map<Long, BundleState> byId(List<BundleState> bundles) {
        Map<Long, BundleState> map = new LinkedHashMap<>();
        bundles.forEach(b -> map.put(b.id(), b));
        return map;
    }

    /** @return every bundle with its state, start level and last-modified time; empty while Karaf cannot answer */
    private static List<BundleState> bundles() throws Exception {
        String list = client("bundle:list -t 0");
        String modified = client("each ($.context bundles) { echo ($it bundleId) ($it lastModified) ($it symbolicName) }");
        Map<Long, String[]> extra = new LinkedHashMap<>();
        for (String line : modified.split("\\R")) {
            String[] parts = line.trim().split(" ");
            if (parts.length == 3 && parts[0].matches("\\d+") && parts[1].matches("\\d+")) {
                extra.put(Long.parseLong(parts[0]), parts);
            }
        }
        List<BundleState> bundles = new ArrayList<>();
        for (String line : list.split("\\R")) {
            Matcher m = BUNDLE_LINE.matcher(line);
            if (m.matches()) {
                long id = Long.parseLong(m.group(1));
                String[] e = extra.get(id);
                bundles.add(new BundleState(id, m.group(2), Integer.parseInt(m.group(3)), m.group(4), m.group(5),
                        e == null ? "?" : e[2], e == null ? -1 : Long.parseLong(e[1])));
            }
        }
        return bundles;
    }

    /**
     * Runs one command with Karaf's {@code bin/client} (its standard input stays open while it runs: at end of input
     * the client closes the session before the answer arrives).
     *
     * @return what it printed, without colours; "" when Karaf is not listening yet
     */
    static String client(String command) throws Exception {
        Process p = new ProcessBuilder(home.resolve("bin/client").toString(), "-a", String.valueOf(sshPort), "-h",
                "127.0.0.1", "-u", "karaf", "-p", password, "-r", "1", command).directory(home.toFile())
                .redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> {
            try (InputStream in = p.getInputStream()) {
                in.transferTo(out);
            } catch (IOException ignored) {
                // the process ended
            }
        });
        reader.start();
        try (OutputStream stdin = p.getOutputStream()) {
            if (!p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("bin/client '" + command + "' did not end within " + WAIT.toSeconds() + " s");
            }
        } finally {
            reader.join(10_000);
        }
        String text = ANSI.matcher(out.toString(StandardCharsets.UTF_8)).replaceAll("");
        return text.lines().filter(l -> !l.startsWith("client: JAVA_HOME")).collect(Collectors.joining("\n"));
    }

    interface Check {
        boolean holds() throws Exception;
    }

    /** Waits until the check holds, {@link #WAIT} at most; fails with the description and Karaf's state. */
    static void awaitCondition(String description, Check check) throws Exception {
        long end = System.nanoTime() + WAIT.toNanos();
        Exception last = null;
        while (System.nanoTime() < end) {
            if (!karaf.isAlive()) {
                throw new AssertionError(description + ": Karaf ended (exit " + karaf.exitValue() + "); console:\n"
                        + tail(home.resolve("console.log")));
            }
            try {
                if (check.holds()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            TimeUnit.MILLISECONDS.sleep(250);
        }
        throw new AssertionError(description + " within " + WAIT.toSeconds() + " s" + (last == null ? ""
                : " (last: " + last + ")") + "; karaf.log ends:\n" + tail(home.resolve("data/log/karaf.log")));
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(" + file + ": " + e + ")";
        }
    }

    /** Sets {@code key = value} lines of a Karaf .cfg file. */
    private static void edit(String file, Map<String, String> values) throws IOException {
        Path path = home.resolve(file);
        String text = Files.readString(path, StandardCharsets.UTF_8);
        for (Map.Entry<String, String> v : values.entrySet()) {
            Pattern line = Pattern.compile("(?m)^" + Pattern.quote(v.getKey()) + "\\s*=.*$");
            assertTrue(file + " has no " + v.getKey(), line.matcher(text).find());
            text = line.matcher(text).replaceAll(Matcher.quoteReplacement(v.getKey() + " = " + v.getValue()));
        }
        Files.writeString(path, text, StandardCharsets.UTF_8);
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : (Iterable<Path>) files.sorted((a, b) -> b.compareTo(a))::iterator) {
                Files.delete(p);
            }
        }
    }
}
