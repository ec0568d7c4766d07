package dev.moryflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import javax.inject.Inject;

import org.apache.felix.service.command.CommandProcessor;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;

import dev.moryflow.credentials.CredentialStore;
import dev.moryflow.provider.ChatChunk;
import dev.moryflow.provider.ChatRequest;
import dev.moryflow.provider.ChatResponse;
import dev.moryflow.provider.ChatStreamListener;
import dev.moryflow.provider.ProviderException;

/**
 * One distinctive key through its whole life: dropped into the real deploy folder, used for whole and streamed chats,
 * echoed back by a failing upstream (401, 400, 500 bodies that repeat the Authorization header), rotated through the
 * gateway, used again, deleted with its provider. Everything the hub writes or says on the way is recorded and
 * searched for any run of 8 characters of the old key, the rotated key and the gateway token (as UTF-8, UTF-16 and
 * Base64): log lines (a log4j2 rolling file appender, its rolled {@code .gz} files decompressed), what the framework
 * prints on standard output and error, every event (EventAdmin, and the {@code /api/events} stream a client reads),
 * every file under the work folder and the framework storage (with Config Admin's store; {@code .gz} decompressed,
 * jars unpacked; a file that cannot be read fails the test), every configuration, every exception from chat and
 * stream calls, every HTTP answer, the output of the Gogo commands ({@code moryflow:providers}, {@code keys},
 * {@code models}, {@code doctor}) and doctor runs through {@code /api/providers/{id}/test}.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class KeyLeakLifecycleIT extends HubTestSupport {

    private static final String ID = "leaky";
    private static final String MODEL = "leaky-model";
    private static final String LOG_FILE = "log/itest.log";

    /**
     * Made at run time, so that no class file or probe jar in the framework storage holds them; letters and digits
     * after a prefix shorter than 8 characters, so that no run of 8 of them is in any file by chance.
     */
    private static final String KEY = secret("sk-");
    private static final String ROTATED_KEY = secret("sk-");
    private static final String TOKEN = secret("mf-");
    private static final String[][] SECRETS = { { "first key", KEY }, { "rotated key", ROTATED_KEY },
            { "gateway token", TOKEN } };

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<String> hits = new ArrayList<>();
    private final Set<String> scannedFiles = new TreeSet<>();
    private final Set<String> scannedConfigurations = new TreeSet<>();
    private final List<String> exceptionTexts = new ArrayList<>();
    private final List<String> httpAnswers = new ArrayList<>();
    private final List<String> shellOutputs = new ArrayList<>();
    private final List<String> doctorRuns = new ArrayList<>();
    private final Set<String> rolledLogs = new TreeSet<>();
    private final Set<String> unpackedFiles = new TreeSet<>();
    private final Set<String> vanishedFiles = new TreeSet<>();
    private final SecretScan.Matcher matcher = matcher();
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private int logLines;
    private int consoleLines;

    @Inject
    private CommandProcessor processor;

    private static String secret(String prefix) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        SecureRandom random = new SecureRandom();
        StringBuilder b = new StringBuilder(prefix);
        for (int i = 0; i < 40; i++) {
            b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    private static SecretScan.Matcher matcher() {
        SecretScan.Matcher m = new SecretScan.Matcher();
        for (String[] s : SECRETS) {
            m.secret(s[0], s[1]);
        }
        return m;
    }

    @org.ops4j.pax.exam.Configuration
    public Option[] config() throws Exception {
        String work = newWorkDir("key-leak");
        Path deploy = Files.createDirectories(Path.of(work, "deploy"));
        Path logConfig = Files.createDirectories(Path.of(work, "etc")).resolve("log4j2-itest.xml");
        // the distribution's levels (etc/log4j2.xml), with MoryFlow's own loggers turned up to TRACE
        Files.writeString(logConfig, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<Configuration status=\"WARN\" name=\"itest\">\n"
                + "  <Appenders>\n"
                + "    <RollingFile name=\"file\" fileName=\"" + Path.of(work, LOG_FILE) + "\" filePattern=\""
                + Path.of(work, "log") + "/itest-%i.log.gz\" immediateFlush=\"true\">\n"
                + "      <PatternLayout pattern=\"%d{HH:mm:ss.SSS} %-5level [%t] %c - %msg%n%throwable\"/>\n"
                + "      <Policies><SizeBasedTriggeringPolicy size=\"64 KB\"/></Policies>\n"
                + "      <DefaultRolloverStrategy fileIndex=\"nomax\"/>\n"
                + "    </RollingFile>\n"
                + "  </Appenders>\n"
                + "  <Loggers>\n"
                + "    <Logger name=\"dev.moryflow\" level=\"TRACE\"/>\n"
                + "    <Logger name=\"Events\" level=\"WARN\"/>\n"
                + "    <Logger name=\"org.ops4j.pax.logging\" level=\"WARN\"/>\n"
                + "    <Logger name=\"org.eclipse.jetty\" level=\"WARN\"/>\n"
                + "    <Logger name=\"org.apache.felix.http\" level=\"WARN\"/>\n"
                + "    <Logger name=\"org.apache.felix.scr\" level=\"WARN\"/>\n"
                + "    <Logger name=\"ROOT\" level=\"WARN\"/>\n"
                + "    <Logger name=\"org.apache.felix.fileinstall\" level=\"INFO\"/>\n"
                + "    <Logger name=\"okhttp3\" level=\"WARN\"/>\n"
                + "    <Root level=\"INFO\"><AppenderRef ref=\"file\"/></Root>\n"
                + "  </Loggers>\n"
                + "</Configuration>\n", StandardCharsets.UTF_8);
        int port = freePort();
        return hub(work,
                frameworkProperty("org.ops4j.pax.logging.property.file").value(logConfig.toString()),
                deployFolder(deploy),
                gateway(port),
                mavenBundle("org.apache.felix", "org.apache.felix.gogo.runtime").versionAsInProject(),
                reactorBundle("shell"));
    }

    @Test
    public void neitherKeyNorGatewayTokenLeavesATraceInAnythingTheHubWritesPrintsPostsOrAnswersFromDeployToDelete()
            throws Exception {
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        System.setOut(new PrintStream(new Tee(stdout, console), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Tee(stderr, console), true, StandardCharsets.UTF_8));
        try (FakeUpstream upstream = new FakeUpstream(); AllEvents events = new AllEvents()) {
            gatewayWithToken();
            try (ApiEvents sse = new ApiEvents()) {
                lifecycle(upstream, events, sse);
            }
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
    }

    private void lifecycle(FakeUpstream upstream, AllEvents events, ApiEvents sse) throws Exception {
        theScanFindsAPlantedSecret();

        // 1. the key arrives in a file dropped into deploy/, and leaves it for the store
        Path file = workDir().resolve("deploy").resolve("moryflow.provider.openai-" + ID + ".cfg");
        Files.writeString(file, "# leak test\nname = Leaky\nbaseUrl = " + upstream.baseUrl() + "\napiKey = " + KEY
                + "\nmodels = " + MODEL + "\n", StandardCharsets.UTF_8);
        awaitProvider(ID);
        CredentialStore store = context.getService(awaitService(CredentialStore.class, ""));
        awaitCondition("the key from the file was not stored", () -> store.verify(ID, KEY.toCharArray()));
        awaitCondition("the key is still in " + file + " or the file lost its other lines", () -> {
            String now = Files.readString(file);
            return !now.contains(KEY) && now.contains("# leak test") && now.contains(MODEL);
        });

        // 2. it is used, whole and streamed, then echoed back by failing upstreams; shell and doctor look at it
        chatWholeAndStreamed(upstream, KEY);
        shell("moryflow:providers", "moryflow:keys", "moryflow:models", "moryflow:doctor " + ID);
        doctorRun();
        failingUpstreamEchoes(upstream);
        httpAnswers.add(answer(get("/api/providers")));
        httpAnswers.add(answer(get("/api/providers/" + ID)));
        scan("after first use", events, sse);
        assertTrue("Config Admin's store of the provider was not among the scanned files", scannedFiles.stream()
                .anyMatch(f -> f.contains("config") && f.contains(ID) && f.endsWith(".config")));

        // 3. rotated through the gateway's key route, used and echoed again
        HttpResponse<String> rotated = send("PUT", "/api/providers/" + ID + "/key",
                "{\"apiKey\":\"" + ROTATED_KEY + "\"}");
        httpAnswers.add(answer(rotated));
        assertEquals(rotated.body(), 200, rotated.statusCode());
        assertTrue("the store does not hold the rotated key", store.verify(ID, ROTATED_KEY.toCharArray()));
        chatWholeAndStreamed(upstream, ROTATED_KEY);
        shell("moryflow:keys", "moryflow:doctor " + ID);
        doctorRun();
        failingUpstreamEchoes(upstream);
        httpAnswers.add(answer(get("/api/providers")));
        scan("after rotation", events, sse);

        // 4. the key is deleted, and then the provider's file is deleted
        HttpResponse<String> deleted = send("DELETE", "/api/providers/" + ID + "/key", null);
        httpAnswers.add(answer(deleted));
        assertEquals(deleted.body(), 204, deleted.statusCode());
        // a provider on 127.0.0.1 counts as a local server, which needs no key: it now sends none
        upstream.clear();
        chatService().chat(ChatRequest.of(MODEL, "without a key"));
        assertEquals("a deleted key was still sent", null, upstream.take().header("authorization"));
        shell("moryflow:keys", "moryflow:providers");
        Files.delete(file);
        awaitNoProvider(ID);
        awaitCondition("the provider's configuration outlived its file", () -> configAdmin
                .listConfigurations("(service.pid=" + OPENAI_FACTORY + "~" + ID + ")") == null);
        httpAnswers.add(answer(get("/api/providers")));
        List<String> lastTopics = List.of("moryflow/credential/ROTATED", "moryflow/credential/DELETED",
                "moryflow/provider/REMOVED");
        awaitCondition("the events of the rotation and the deletions did not arrive",
                () -> events.topics().containsAll(lastTopics));
        awaitCondition("the events of the rotation and the deletions did not reach /api/events: " + sse.topics(),
                () -> sse.topics().containsAll(lastTopics));
        scan("after deletion", events, sse);

        for (int i = 0; i < exceptionTexts.size(); i++) {
            check("exception message " + i, exceptionTexts.get(i));
        }
        for (int i = 0; i < httpAnswers.size(); i++) {
            check("HTTP answer " + i, httpAnswers.get(i));
        }
        for (int i = 0; i < doctorRuns.size(); i++) {
            check("doctor run " + i + " (POST /api/providers/" + ID + "/test)", doctorRuns.get(i));
        }
        for (int i = 0; i < shellOutputs.size(); i++) {
            check("shell output " + i, shellOutputs.get(i));
        }

        String summary = "leak scan: " + hits.size() + " hits in " + logLines + " log lines (" + rolledLogs.size()
                + " rolled .gz logs), " + consoleLines + " stdout/stderr lines, " + events.count() + " events, "
                + sse.events() + " /api/events events, " + scannedFiles.size() + " files (" + unpackedFiles.size()
                + " decompressed or unpacked, " + vanishedFiles.size() + " gone before reading), "
                + scannedConfigurations.size() + " configurations, " + exceptionTexts.size()
                + " exception messages, " + httpAnswers.size() + " HTTP answers, " + doctorRuns.size()
                + " doctor runs, " + shellOutputs.size() + " shell outputs; secrets: first key, rotated key, "
                + "gateway token, any run of " + SecretScan.RUN + " characters";
        System.out.println(summary);
        assertEquals(summary + ": " + hits, List.of(), hits);
        assertTrue("the log capture saw no registration: " + logLines + " lines", logLines > 0
                && logText().contains("Provider " + ID + " registered"));
        assertTrue("no rolled log was scanned (the appender rolls every 64 KB): " + summary, !rolledLogs.isEmpty());
        assertTrue(summary, events.count() > 0 && sse.events() > 0 && scannedFiles.size() > 0
                && scannedConfigurations.size() > 0 && exceptionTexts.size() >= 3 && httpAnswers.size() >= 2
                && doctorRuns.size() >= 8 && shellOutputs.size() >= 10);
    }

    // ------------------------------------------------------------------------------------------------ the steps

    private void gatewayWithToken() throws Exception {
        Configuration gw = configAdmin.getConfiguration("moryflow.gateway", "?");
        gw.update(props("token", TOKEN));
        CredentialStore store = context.getService(awaitService(CredentialStore.class, ""));
        awaitCondition("the gateway token was not stored", () -> store.verify(CredentialStore.GATEWAY_TOKEN,
                TOKEN.toCharArray()));
        awaitCondition("the API is not served", () -> get("/api/providers").statusCode() == 200);
    }

    /** A whole and a streamed chat through the chat service and the gateway; the upstream gets this key. */
    private void chatWholeAndStreamed(FakeUpstream upstream, String key) throws Exception {
        upstream.script(FakeUpstream::defaultReply);
        upstream.clear();
        assertEquals("Hello from " + MODEL, chatService().chat(ChatRequest.of(MODEL, "whole")).content());
        assertTrue("the upstream did not get the expected key", ("Bearer " + key).equals(upstream.take()
                .header("authorization")));
        StreamCollector streamed = new StreamCollector();
        chatService().stream(ChatRequest.of(MODEL, "streamed"), streamed);
        assertEquals("Hello", streamed.await().content());
        assertTrue("the upstream did not get the expected key", ("Bearer " + key).equals(upstream.take()
                .header("authorization")));
        HttpResponse<String> whole = send("POST", "/v1/chat/completions", chatBody(false));
        httpAnswers.add(answer(whole));
        assertEquals(whole.body(), 200, whole.statusCode());
        upstream.clear();
    }

    /**
     * A 401, a 400 and a 500 whose bodies repeat the Authorization header (and the bare key), each met by a whole and
     * a streamed chat through the chat service and through the gateway.
     */
    private void failingUpstreamEchoes(FakeUpstream upstream) throws Exception {
        for (int status : new int[] { 401, 400, 500 }) {
            upstream.script(r -> echo(status, r.header("authorization")));
            try {
                chatService().chat(ChatRequest.of(MODEL, "whole " + status));
                fail("a " + status + " was taken for an answer");
            } catch (ProviderException e) {
                exceptionTexts.add(describe(e));
            }
            CompletableFuture<ProviderException> failed = new CompletableFuture<>();
            chatService().stream(ChatRequest.of(MODEL, "streamed " + status), new ChatStreamListener() {
                @Override
                public void onChunk(ChatChunk chunk) {
                    // none expected
                }

                @Override
                public void onComplete(ChatResponse response) {
                    failed.completeExceptionally(new AssertionError("a " + status + " was taken for an answer"));
                }

                @Override
                public void onError(ProviderException error) {
                    failed.complete(error);
                }
            });
            exceptionTexts.add(describe(failed.get(TIMEOUT_MS, TimeUnit.MILLISECONDS)));
            HttpResponse<String> whole = send("POST", "/v1/chat/completions", chatBody(false));
            HttpResponse<String> streamed = send("POST", "/v1/chat/completions", chatBody(true));
            httpAnswers.add(answer(whole));
            httpAnswers.add(answer(streamed));
            assertTrue(whole.body(), whole.statusCode() >= 400);
            // the doctor meets the same echo, over HTTP and in the shell
            doctorRun();
            shell("moryflow:doctor " + ID);
        }
        assertTrue("the failing upstream was never called", upstream.all().size() >= 12);
        upstream.script(FakeUpstream::defaultReply);
    }

    /** An error answer that repeats the request's Authorization header and the bare key, as careless servers do. */
    private static FakeUpstream.Reply echo(int status, String authorization) {
        String bare = authorization == null ? "none" : authorization.replaceFirst("^Bearer ", "");
        switch (status) {
        case 401:
            return FakeUpstream.Reply.json(401, "{\"error\":{\"message\":\"Incorrect API key provided: " + bare
                    + ". You sent Authorization: " + authorization + "\",\"type\":\"invalid_request_error\","
                    + "\"param\":\"" + bare + "\",\"code\":\"" + bare + "\"}}");
        case 400:
            return FakeUpstream.Reply.raw(400, "text/plain", "Bad request. Headers received:\nAuthorization: "
                    + authorization + "\nx-api-key=" + bare + "\n");
        default:
            return FakeUpstream.Reply.raw(500, "text/html", "<html><body><h1>500 Internal Server Error</h1><pre>"
                    + "Authorization: " + authorization + "\napi_key=" + bare + "</pre></body></html>");
        }
    }

    private static String chatBody(boolean stream) {
        return "{\"model\":\"" + ID + "/" + MODEL + "\",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"through the gateway\"}]}";
    }

    // ------------------------------------------------------------------------------------------------ recording

    /**
     * The scan is not blind: runs of 8 characters of each secret planted in a text and in files (UTF-16, a gzip log,
     * Base64 at an odd byte offset) are found, a run of 7 is not, and a file the scan cannot read fails it.
     */
    private void theScanFindsAPlantedSecret() throws IOException {
        check("planted", "text " + ROTATED_KEY.substring(5, 13) + " text " + TOKEN.substring(20, 27) + " text");
        assertEquals(List.of("planted (rotated key as UTF-8)"), hits);
        hits.clear();
        System.err.println("planted on standard error: " + KEY.substring(2, 12));
        assertEquals("the capture of standard error is blind", Set.of("first key as UTF-8"),
                matcher.find(console()));
        synchronized (console) {
            console.reset();
        }
        Path dir = Files.createDirectories(workDir().resolve("planted"));
        try {
            Path utf16 = dir.resolve("planted.bin");
            Files.write(utf16, ("x" + KEY.substring(4) + "x").getBytes(StandardCharsets.UTF_16LE));
            Path gz = dir.resolve("old.log.gz");
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
                out.write(("12:00:00 INFO token " + TOKEN.substring(10, 20) + "\n").getBytes(StandardCharsets.UTF_8));
            }
            Path base64 = dir.resolve("blob.txt");
            Files.writeString(base64, Base64.getEncoder().encodeToString(("ab" + ROTATED_KEY.substring(3, 17))
                    .getBytes(StandardCharsets.UTF_8)));
            SecretScan.TreeScan found = SecretScan.scanTree(dir, matcher);
            String all = String.join("\n", found.hits);
            assertTrue(all, all.contains(utf16 + ": first key as UTF-16LE"));
            assertTrue(all, all.contains(gz + " (decompressed): gateway token as UTF-8"));
            assertTrue(all, all.contains(base64 + ": rotated key as Base64"));
            assertEquals(all, 3, found.hits.stream().map(h -> h.substring(0, h.indexOf(": "))).distinct().count());

            Path broken = dir.resolve("broken.log.gz");
            Files.write(broken, "not gzip at all".getBytes(StandardCharsets.UTF_8));
            String failure = null;
            try {
                SecretScan.scanTree(dir, matcher);
            } catch (AssertionError expected) {
                failure = expected.getMessage();
            }
            assertTrue("a file the scan cannot read did not fail it: " + failure, failure != null
                    && failure.contains("could not read " + broken));
        } finally {
            try (Stream<Path> planted = Files.walk(dir)) {
                for (Path f : planted.sorted(Comparator.reverseOrder()).toArray(Path[]::new)) {
                    Files.delete(f);
                }
            }
        }
    }

    /** An exception's message, hint, description and the messages of its causes. */
    private static String describe(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            out.append(t).append(" | ").append(t.getMessage()).append(" | ").append(t.getLocalizedMessage());
            if (t instanceof ProviderException) {
                ProviderException p = (ProviderException) t;
                out.append(" | ").append(p.hint()).append(" | ").append(p.upstreamCode()).append(" | ")
                        .append(p.describe());
            }
            for (Throwable s : t.getSuppressed()) {
                out.append(" | suppressed ").append(describe(s));
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static String answer(HttpResponse<String> r) {
        return r.statusCode() + " " + r.headers().map() + "\n" + r.body();
    }

    /**
     * Looks through the logs (rolled ones decompressed), standard output and error, the events, the
     * {@code /api/events} stream, the files and the configurations now; adds what it finds to the hits.
     */
    private void scan(String when, AllEvents events, ApiEvents sse) throws Exception {
        Path logs = workDir().resolve(LOG_FILE).getParent();
        // log4j2 compresses a rolled file after the roll: wait until no plain rolled file is left half-way
        awaitCondition("a rolled log is still being compressed", () -> {
            try (Stream<Path> files = Files.list(logs)) {
                return files.noneMatch(f -> f.getFileName().toString().matches("itest-\\d+\\.log"));
            }
        });
        List<String> lines = logText().lines().collect(Collectors.toList());
        logLines = Math.max(logLines, lines.size());
        for (int i = 0; i < lines.size(); i++) {
            check(when + ": log line " + (i + 1), lines.get(i));
        }
        List<String> printed = console().lines().collect(Collectors.toList());
        consoleLines = Math.max(consoleLines, printed.size());
        for (int i = 0; i < printed.size(); i++) {
            check(when + ": stdout/stderr line " + (i + 1), printed.get(i));
        }
        for (Event e : events.all()) {
            StringBuilder text = new StringBuilder(e.getTopic());
            for (String name : e.getPropertyNames()) {
                text.append(' ').append(name).append('=').append(Arrays.deepToString(new Object[] { e.getProperty(name) }));
            }
            check(when + ": event " + e.getTopic(), text.toString());
        }
        List<String> streamed = sse.lines();
        for (int i = 0; i < streamed.size(); i++) {
            check(when + ": /api/events line " + (i + 1), streamed.get(i));
        }
        for (Path root : new Path[] { workDir(), Path.of(context.getProperty("org.osgi.framework.storage")) }) {
            SecretScan.TreeScan tree = SecretScan.scanTree(root, matcher);
            for (String hit : tree.hits) {
                hits.add(when + ": file " + hit);
            }
            scannedFiles.addAll(tree.files);
            unpackedFiles.addAll(tree.unpacked);
            vanishedFiles.addAll(tree.vanished);
        }
        Configuration[] all = configAdmin.listConfigurations(null);
        for (Configuration c : all == null ? new Configuration[0] : all) {
            scannedConfigurations.add(c.getPid());
            Dictionary<String, Object> props = c.getProperties();
            if (props == null) {
                continue;
            }
            StringBuilder text = new StringBuilder(c.getPid());
            for (Enumeration<String> keys = props.keys(); keys.hasMoreElements();) {
                String k = keys.nextElement();
                text.append(' ').append(k).append('=').append(Arrays.deepToString(new Object[] { props.get(k) }));
                if (k.equalsIgnoreCase("apiKey")) {
                    hits.add(when + ": configuration " + c.getPid() + " has a property " + k);
                }
            }
            check(when + ": configuration " + c.getPid(), text.toString());
        }
    }

    /** @return the log so far: the rolled files, decompressed, oldest first, then the current file */
    private String logText() throws IOException {
        Path logs = workDir().resolve(LOG_FILE).getParent();
        StringBuilder text = new StringBuilder();
        List<Path> rolled;
        try (Stream<Path> files = Files.list(logs)) {
            rolled = files.filter(f -> f.getFileName().toString().matches("itest-\\d+\\.log\\.gz"))
                    .sorted(Comparator.comparingInt(f -> Integer.parseInt(f.getFileName().toString()
                            .replaceAll("\\D", ""))))
                    .collect(Collectors.toList());
        }
        for (Path f : rolled) {
            rolledLogs.add(f.toString());
            text.append(new String(SecretScan.gunzip(f), StandardCharsets.UTF_8));
        }
        Path current = workDir().resolve(LOG_FILE);
        if (Files.exists(current)) {
            text.append(Files.readString(current, StandardCharsets.UTF_8));
        }
        return text.toString();
    }

    private String console() {
        synchronized (console) {
            return console.toString(StandardCharsets.UTF_8);
        }
    }

    /** Adds a hit for every secret the text holds a run of 8 characters of, in any form the matcher knows. */
    private void check(String where, String text) {
        for (String found : matcher.find(text)) {
            hits.add(where + " (" + found + ")");
        }
    }

    /** Runs Gogo commands as a console user would, and keeps what they print. */
    private void shell(String... commands) throws Exception {
        awaitCondition("the moryflow commands are not registered", () -> context.getServiceReferences(
                (String) null, "(&(osgi.command.scope=moryflow)(osgi.command.function=doctor))") != null);
        for (String command : commands) {
            String out;
            try {
                out = Gogo.run(processor, command, "");
            } catch (Exception e) {
                out = describe(e);
            }
            shellOutputs.add(command + "\n" + out);
        }
    }

    /** A doctor run through the gateway, as the console's "Test" button does it. */
    private void doctorRun() throws Exception {
        HttpResponse<String> r = send("POST", "/api/providers/" + ID + "/test?model=" + MODEL, null);
        assertEquals(r.body(), 200, r.statusCode());
        doctorRuns.add(answer(r));
    }

    // ------------------------------------------------------------------------------------------------ HTTP

    private String base() {
        return "http://127.0.0.1:" + context.getProperty("org.osgi.service.http.port");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Writes to the stream it replaces and into the capture. */
    private static final class Tee extends OutputStream {
        private final OutputStream original;
        private final ByteArrayOutputStream capture;

        Tee(OutputStream original, ByteArrayOutputStream capture) {
            this.original = original;
            this.capture = capture;
        }

        @Override
        public void write(int b) throws IOException {
            synchronized (capture) {
                capture.write(b);
            }
            original.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            synchronized (capture) {
                capture.write(b, off, len);
            }
            original.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            original.flush();
        }
    }

    /** A client of {@code GET /api/events}: keeps every line of the stream while it is open. */
    private final class ApiEvents implements AutoCloseable {
        private final LineCollector lines = new LineCollector();
        private final CompletableFuture<HttpResponse<Void>> response;

        ApiEvents() throws Exception {
            response = http.sendAsync(HttpRequest.newBuilder(URI.create(base() + "/api/events"))
                    .header("Authorization", "Bearer " + TOKEN).header("Accept", "text/event-stream").GET().build(),
                    HttpResponse.BodyHandlers.fromLineSubscriber(lines));
            awaitCondition("GET /api/events did not connect", () -> !lines.lines(": connected").isEmpty());
        }

        List<String> lines() {
            return lines.lines();
        }

        long events() {
            return lines.lines("event: ").size();
        }

        Set<String> topics() {
            Set<String> topics = new TreeSet<>();
            for (String l : lines.lines("event: ")) {
                topics.add(l.substring("event: ".length()).trim());
            }
            return topics;
        }

        @Override
        public void close() {
            lines.cancel();
            response.cancel(true);
        }
    }

    /** Records every event of every topic, framework and log events included, while it is open. */
    private final class AllEvents implements EventHandler, AutoCloseable {
        private final List<Event> events = Collections.synchronizedList(new ArrayList<>());
        private final ServiceRegistration<EventHandler> registration;

        AllEvents() {
            registration = context.registerService(EventHandler.class, this,
                    props(EventConstants.EVENT_TOPIC, new String[] { "*" }));
        }

        @Override
        public void handleEvent(Event event) {
            events.add(event);
        }

        List<Event> all() {
            synchronized (events) {
                return new ArrayList<>(events);
            }
        }

        int count() {
            return events.size();
        }

        Set<String> topics() {
            Set<String> topics = new TreeSet<>();
            for (Event e : all()) {
                topics.add(e.getTopic());
            }
            return topics;
        }

        @Override
        public void close() {
            registration.unregister();
        }
    }
}
