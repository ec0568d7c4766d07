package dev.moryflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

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
 * gateway, used again, deleted with its provider. Everything the hub writes or says on the way is recorded (log
 * lines from a log4j2 file appender, every event, every file under the work folder and the framework storage with
 * Config Admin's store, every configuration, every exception from chat and stream calls, every HTTP answer) and
 * searched for the old and the rotated key.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class KeyLeakLifecycleIT extends HubTestSupport {

    private static final String ID = "leaky";
    private static final String MODEL = "leaky-model";
    private static final String TOKEN = "mf-itest-leak-token-0123456789";
    private static final String LOG_FILE = "log/itest.log";

    /** Made at run time, so that no class file or probe jar in the framework storage holds them. */
    private static final String KEY = "sk-leaky-" + UUID.randomUUID().toString().replace("-", "");
    private static final String ROTATED_KEY = "sk-leaky-" + UUID.randomUUID().toString().replace("-", "");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<String> hits = new ArrayList<>();
    private final Set<String> scannedFiles = new TreeSet<>();
    private final Set<String> scannedConfigurations = new TreeSet<>();
    private final List<String> exceptionTexts = new ArrayList<>();
    private final List<String> httpAnswers = new ArrayList<>();
    private int logLines;

    @org.ops4j.pax.exam.Configuration
    public Option[] config() throws Exception {
        String work = newWorkDir("key-leak");
        Path deploy = Files.createDirectories(Path.of(work, "deploy"));
        Path logConfig = Files.createDirectories(Path.of(work, "etc")).resolve("log4j2-itest.xml");
        // the distribution's levels (etc/log4j2.xml), with MoryFlow's own loggers turned up to TRACE
        Files.writeString(logConfig, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<Configuration status=\"WARN\" name=\"itest\">\n"
                + "  <Appenders>\n"
                + "    <File name=\"file\" fileName=\"" + Path.of(work, LOG_FILE) + "\" immediateFlush=\"true\">\n"
                + "      <PatternLayout pattern=\"%d{HH:mm:ss.SSS} %-5level [%t] %c - %msg%n%throwable\"/>\n"
                + "    </File>\n"
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
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        return hub(work,
                frameworkProperty("org.ops4j.pax.logging.property.file").value(logConfig.toString()),
                frameworkProperty("felix.fileinstall.dir").value(deploy.toString()),
                frameworkProperty("felix.fileinstall.poll").value("100"),
                frameworkProperty("felix.fileinstall.noInitialDelay").value("true"),
                frameworkProperty("felix.fileinstall.enableConfigSave").value("true"),
                frameworkProperty("felix.fileinstall.filter").value(".*\\.(cfg|config|jar)"),
                mavenBundle("org.apache.felix", "org.apache.felix.fileinstall").versionAsInProject(),
                frameworkProperty("org.osgi.service.http.port").value(String.valueOf(port)),
                frameworkProperty("org.apache.felix.http.host").value("127.0.0.1"),
                mavenBundle("org.apache.felix", "org.apache.felix.http.servlet-api").versionAsInProject(),
                mavenBundle("commons-io", "commons-io").versionAsInProject(),
                mavenBundle("commons-fileupload", "commons-fileupload").versionAsInProject(),
                mavenBundle("org.apache.felix", "org.apache.felix.http.jetty12").versionAsInProject(),
                reactorBundle("doctor"),
                reactorBundle("gateway"));
    }

    @Test
    public void aKeyLeavesNoTraceInLogsEventsFilesConfigurationsErrorsOrHttpAnswersFromDeployToDelete()
            throws Exception {
        try (FakeUpstream upstream = new FakeUpstream(); AllEvents events = new AllEvents()) {
            gatewayWithToken();
            theScanFindsAPlantedKey();

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

            // 2. it is used, whole and streamed, then echoed back by failing upstreams
            chatWholeAndStreamed(upstream, KEY);
            failingUpstreamEchoes(upstream);
            httpAnswers.add(answer(get("/api/providers")));
            httpAnswers.add(answer(get("/api/providers/" + ID)));
            scan("after first use", events);
            assertTrue("Config Admin's store of the provider was not among the scanned files", scannedFiles.stream()
                    .anyMatch(f -> f.contains("config") && f.contains(ID) && f.endsWith(".config")));

            // 3. rotated through the gateway's key route, used and echoed again
            HttpResponse<String> rotated = send("PUT", "/api/providers/" + ID + "/key",
                    "{\"apiKey\":\"" + ROTATED_KEY + "\"}");
            httpAnswers.add(answer(rotated));
            assertEquals(rotated.body(), 200, rotated.statusCode());
            assertTrue("the store does not hold the rotated key", store.verify(ID, ROTATED_KEY.toCharArray()));
            chatWholeAndStreamed(upstream, ROTATED_KEY);
            failingUpstreamEchoes(upstream);
            httpAnswers.add(answer(get("/api/providers")));
            scan("after rotation", events);

            // 4. the key is deleted, and then the provider's file is deleted
            HttpResponse<String> deleted = send("DELETE", "/api/providers/" + ID + "/key", null);
            httpAnswers.add(answer(deleted));
            assertEquals(deleted.body(), 204, deleted.statusCode());
            // a provider on 127.0.0.1 counts as a local server, which needs no key: it now sends none
            upstream.clear();
            chatService().chat(ChatRequest.of(MODEL, "without a key"));
            assertEquals("a deleted key was still sent", null, upstream.take().header("authorization"));
            Files.delete(file);
            awaitNoProvider(ID);
            awaitCondition("the provider's configuration outlived its file", () -> configAdmin
                    .listConfigurations("(service.pid=" + OPENAI_FACTORY + "~" + ID + ")") == null);
            httpAnswers.add(answer(get("/api/providers")));
            awaitCondition("the events of the rotation and the deletions did not arrive", () -> events.topics()
                    .containsAll(List.of("moryflow/credential/ROTATED", "moryflow/credential/DELETED",
                            "moryflow/provider/REMOVED")));
            scan("after deletion", events);

            for (int i = 0; i < exceptionTexts.size(); i++) {
                check("exception message " + i, exceptionTexts.get(i));
            }
            for (int i = 0; i < httpAnswers.size(); i++) {
                check("HTTP answer " + i, httpAnswers.get(i));
            }

            String summary = "leak scan: " + hits.size() + " hits in " + logLines + " log lines, "
                    + events.count() + " events, " + scannedFiles.size() + " files, " + scannedConfigurations.size()
                    + " configurations, " + exceptionTexts.size() + " exception messages, " + httpAnswers.size()
                    + " HTTP answers";
            System.out.println(summary);
            assertEquals(summary + ": " + hits, List.of(), hits);
            assertTrue("the log capture saw no registration: " + logLines + " lines", logLines > 0
                    && Files.readString(workDir().resolve(LOG_FILE)).contains("Provider " + ID + " registered"));
            assertTrue(summary, events.count() > 0 && scannedFiles.size() > 0 && scannedConfigurations.size() > 0
                    && exceptionTexts.size() >= 3 && httpAnswers.size() >= 2);
        }
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
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        chatService().stream(ChatRequest.of(MODEL, "streamed"), new ChatStreamListener() {
            @Override
            public void onChunk(ChatChunk chunk) {
                // the whole answer comes with onComplete
            }

            @Override
            public void onComplete(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(ProviderException error) {
                done.completeExceptionally(error);
            }
        });
        assertEquals("Hello", done.get(TIMEOUT_MS, TimeUnit.MILLISECONDS).content());
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

    /** The scan is not blind: a key planted in a text and in a file (UTF-16) is found, then the plant removed. */
    private void theScanFindsAPlantedKey() throws IOException {
        check("planted", "text " + ROTATED_KEY + " text");
        assertEquals(List.of("planted (rotated key)"), hits);
        hits.clear();
        Path planted = workDir().resolve("planted.bin");
        Files.write(planted, ("x" + KEY + "x").getBytes(StandardCharsets.UTF_16LE));
        try {
            assertEquals(List.of(planted), SecretScan.filesContaining(workDir(), KEY));
        } finally {
            Files.delete(planted);
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

    /** Looks through the log, the events, the files and the configurations now; adds what it finds to the hits. */
    private void scan(String when, AllEvents events) throws Exception {
        Path log = workDir().resolve(LOG_FILE);
        List<String> lines = Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
        logLines = Math.max(logLines, lines.size());
        for (int i = 0; i < lines.size(); i++) {
            check(when + ": " + LOG_FILE + " line " + (i + 1), lines.get(i));
        }
        for (Event e : events.all()) {
            StringBuilder text = new StringBuilder(e.getTopic());
            for (String name : e.getPropertyNames()) {
                text.append(' ').append(name).append('=').append(Arrays.deepToString(new Object[] { e.getProperty(name) }));
            }
            check(when + ": event " + e.getTopic(), text.toString());
        }
        for (Path root : new Path[] { workDir(), Path.of(context.getProperty("org.osgi.framework.storage")) }) {
            for (String key : new String[] { KEY, ROTATED_KEY }) {
                for (Path f : SecretScan.filesContaining(root, key)) {
                    hits.add(when + ": file " + f);
                }
            }
            try (Stream<Path> files = Files.walk(root)) {
                files.filter(Files::isRegularFile).forEach(f -> scannedFiles.add(f.toString()));
            } catch (UncheckedIOException | IOException e) {
                // a file that went away during the walk was still scanned above, or will be at the next scan
            }
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

    /** Adds a hit when the text holds either key, as it is or as the start of its Base64 form. */
    private void check(String where, String text) {
        for (String key : new String[] { KEY, ROTATED_KEY }) {
            String base64 = Base64.getEncoder().withoutPadding().encodeToString(key.getBytes(StandardCharsets.UTF_8))
                    .substring(0, key.length());
            if (text.contains(key) || text.contains(base64)) {
                hits.add(where + (key.equals(KEY) ? " (first key)" : " (rotated key)"));
            }
        }
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
