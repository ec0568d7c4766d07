package dev.moryflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.wiring.FrameworkWiring;

import dev.moryflow.provider.ChatRequest;
import dev.moryflow.provider.ChatResponse;
import dev.moryflow.provider.ProviderService;

/**
 * Chats running through the real gateway ({@code /v1}, a plain Java HTTP client) while their provider changes: its
 * configuration is updated, disabled or deleted, its key rotated, its bundle (provider-openai, or the http bundle it
 * needs) updated or uninstalled, or — for any provider bundle — its service simply unregistered. Two
 * OpenAI-compatible providers on two fake upstreams ({@code a}, {@code b}) and one provider of another bundle
 * ({@code side}, the test probe's) stream and answer whole at the same time. A chat whose provider stays registered
 * completes; one whose provider goes ends within {@link #ENDS_WITHIN_MS} with an error event that says so (then
 * {@code [DONE]}), and its upstream connection is closed; every other chat completes untouched.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class InFlightSafetyIT extends HubTestSupport {

    private static final String TOKEN = "mf-itest-inflight-token-0123456789";
    private static final String PROVIDER_OPENAI = "dev.moryflow.provider.openai";
    private static final String HTTP_BUNDLE = "dev.moryflow.http";
    /** How soon a chat whose provider went must have ended (measured: a few ms); far below the 30 s stall. */
    private static final long ENDS_WITHIN_MS = 5000;
    private static final String REMOVED = "was removed while this chat was running";
    /** Chats running through each provider at once: two streamed and two whole (as many as FakeUpstream has threads). */
    private static final int CHATS = 4;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Upstream a;
    private Upstream b;
    private HeldProvider side;
    private ServiceRegistration<ProviderService> sideRegistration;
    /** When the test changed the provider, to report how soon its chats ended. */
    private volatile long changedAt;

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return hub(newWorkDir("inflight"), gateway(freePort()));
    }

    @Before
    public void setUp() throws Exception {
        gatewayToken(TOKEN);
        a = new Upstream("a");
        b = new Upstream("b");
        side = new HeldProvider("side");
        sideRegistration = context.registerService(ProviderService.class, side, new Hashtable<>(side.properties()));
        awaitProvider("a");
        awaitProvider("b");
        awaitProvider("side");
    }

    @After
    public void tearDown() throws Exception {
        try {
            if (sideRegistration != null) {
                sideRegistration.unregister();
            }
        } catch (IllegalStateException alreadyGone) {
            // the test unregistered it
        }
        deleteProviders();
        a.close();
        b.close();
    }

    // ------------------------------------------------------------------------------------ configuration changes

    @Test
    public void deletingAProvidersConfigurationEndsItsRunningChatsWithAClearErrorAndNoOtherChat() throws Exception {
        Chats running = startChats();
        changedAt = System.nanoTime();
        configAdmin.getFactoryConfiguration(OPENAI_FACTORY, "a", "?").delete();
        running.ofA.assertEndedWithError(REMOVED, "its configuration was deleted");
        a.assertConnectionsClosed();
        running.ofB.release();
        running.ofSide.release();
    }

    @Test
    public void disablingAProviderEndsItsRunningChatsWithAClearErrorAndNoOtherChat() throws Exception {
        Chats running = startChats();
        changedAt = System.nanoTime();
        a.configure("enabled", "false");
        running.ofA.assertEndedWithError(REMOVED, "disabled");
        a.assertConnectionsClosed();
        running.ofB.release();
        running.ofSide.release();
    }

    @Test
    public void updatingAProvidersConfigurationLetsItsRunningChatsCompleteAndTheNextUseTheNewOne() throws Exception {
        Chats running = startChats();
        changedAt = System.nanoTime();
        a.configure("name", "Renamed A", "models", new String[] { "m", "n" });
        awaitCondition("the new model of a is not routable",
                () -> chatService().models().stream().anyMatch(m -> m.qualifiedName().equals("a/n")));
        running.ofA.release();
        running.ofB.release();
        running.ofSide.release();
        assertEquals(200, whole("a/n").statusCode());
    }

    @Test
    public void rotatingAProvidersKeyLetsItsRunningChatsCompleteAndTheNextSendTheNewKey() throws Exception {
        a.configure("apiKey", "sk-inflight-first-key");
        awaitKeyStored("a");
        Chats running = startChats();
        assertTrue("the first key was not sent", a.upstream.all().stream().filter(r -> r.path.endsWith("/chat/completions"))
                .allMatch(r -> "Bearer sk-inflight-first-key".equals(r.header("authorization"))));
        changedAt = System.nanoTime();
        HttpResponse<String> rotated = api("PUT", "/api/providers/a/key", "{\"apiKey\":\"sk-inflight-second-key\"}");
        assertEquals(rotated.body(), 200, rotated.statusCode());
        running.ofA.release();
        running.ofB.release();
        running.ofSide.release();
        a.upstream.clear();
        assertEquals(200, whole("a/m").statusCode());
        assertEquals("Bearer sk-inflight-second-key", a.upstream.take().header("authorization"));
    }

    // ------------------------------------------------------------------------------------------ bundle changes

    @Test
    public void updatingTheProviderBundleEndsItsRunningChatsWithAClearErrorAndNotAnotherBundlesChats()
            throws Exception {
        Chats running = startChats();
        changedAt = System.nanoTime();
        installedBundle(PROVIDER_OPENAI).update();
        running.ofA.assertEndedWithError(REMOVED, "its bundle " + PROVIDER_OPENAI + " stopped");
        running.ofB.assertEndedWithError(REMOVED, "its bundle " + PROVIDER_OPENAI + " stopped");
        a.assertConnectionsClosed();
        b.assertConnectionsClosed();
        running.ofSide.release();
        awaitProvider("a");
        a.release.complete(Boolean.TRUE);
        assertEquals("the updated bundle's provider does not answer", 200, whole("a/m").statusCode());
    }

    @Test
    public void uninstallingTheProviderBundleEndsItsRunningChatsWithAClearErrorAndNotAnotherBundlesChats()
            throws Exception {
        Chats running = startChats();
        Bundle openai = installedBundle(PROVIDER_OPENAI);
        String location = openai.getLocation();
        try {
            changedAt = System.nanoTime();
            openai.uninstall();
            running.ofA.assertEndedWithError(REMOVED, "its bundle " + PROVIDER_OPENAI + " stopped");
            running.ofB.assertEndedWithError(REMOVED, "its bundle " + PROVIDER_OPENAI + " stopped");
            a.assertConnectionsClosed();
            b.assertConnectionsClosed();
            running.ofSide.release();
        } finally {
            context.installBundle(location).start();
        }
        awaitProvider("a");
        a.release.complete(Boolean.TRUE);
        assertEquals("the reinstalled bundle's provider does not answer", 200, whole("a/m").statusCode());
    }

    @Test
    public void updatingTheHttpBundleEndsTheChatsOfTheProvidersThatNeedItWithAClearError() throws Exception {
        Chats running = startChats();
        Bundle httpBundle = installedBundle(HTTP_BUNDLE);
        try {
            changedAt = System.nanoTime();
            httpBundle.update();
            running.ofA.assertEndedWithError(REMOVED, "went away");
            running.ofB.assertEndedWithError(REMOVED, "went away");
            a.assertConnectionsClosed();
            b.assertConnectionsClosed();
            running.ofSide.release();
        } finally {
            refresh(httpBundle);
        }
        awaitProvider("a");
        a.release.complete(Boolean.TRUE);
        awaitCondition("the gateway does not answer after the refresh", () -> {
            try {
                return whole("a/m").statusCode() == 200;
            } catch (java.io.IOException notYet) {
                return false;
            }
        });
    }

    /** Any provider bundle, whether or not it looks after its own calls: here its service is just unregistered. */
    @Test
    public void unregisteringAnyProviderServiceEndsItsRunningChatsWithAClearErrorAndCancelsThem() throws Exception {
        Chats running = startChats();
        changedAt = System.nanoTime();
        sideRegistration.unregister();
        running.ofSide.assertEndedWithError(REMOVED, "provider 'side'");
        assertEquals("the removed provider's calls were not all cancelled", CHATS, side.cancelled.get());
        assertEquals(0, side.running());
        running.ofA.release();
        running.ofB.release();
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** Chats of a, b and side, each streaming (its first chunk arrived) or waiting for its whole answer. */
    private Chats startChats() throws Exception {
        Chats c = new Chats(new Group(a), new Group(b), new Group(side));
        c.ofA.awaitRunning();
        c.ofB.awaitRunning();
        c.ofSide.awaitRunning();
        return c;
    }

    private static final class Chats {
        final Group ofA;
        final Group ofB;
        final Group ofSide;

        Chats(Group ofA, Group ofB, Group ofSide) {
            this.ofA = ofA;
            this.ofB = ofB;
            this.ofSide = ofSide;
        }
    }

    /**
     * Two streamed chats and one whole chat of one provider through the gateway, and one whole chat of the hub's own
     * callers ({@code ChatService.chat}, as the shell's {@code moryflow:chat}), waiting on a thread of its own.
     */
    private final class Group {
        final Upstream upstream;
        final HeldProvider held;
        final String model;
        final List<StreamedChat> streams = new ArrayList<>();
        final CompletableFuture<HttpResponse<String>> whole;
        final CompletableFuture<ChatResponse> direct;

        Group(Upstream upstream) {
            this(upstream, null, upstream.id + "/m");
        }

        Group(HeldProvider held) {
            this(null, held, held.id + "/m");
        }

        private Group(Upstream upstream, HeldProvider held, String model) {
            this.upstream = upstream;
            this.held = held;
            this.model = model;
            for (int i = 0; i < 2; i++) {
                streams.add(new StreamedChat(model));
            }
            whole = http.sendAsync(chatRequest(model, false), HttpResponse.BodyHandlers.ofString());
            direct = CompletableFuture.supplyAsync(() -> {
                try {
                    return chatService().chat(ChatRequest.of(model, "hi"));
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            });
        }

        void awaitRunning() throws Exception {
            if (held != null) {
                awaitCondition("the chats of " + model + " did not reach it", () -> held.running() == CHATS);
                held.push("first");
            } else {
                awaitCondition("the chats of " + model + " did not reach its upstream",
                        () -> upstream.chats() == CHATS);
            }
            for (StreamedChat s : streams) {
                s.awaitFirstChunk();
            }
        }

        /** Lets the answers end; every chat must then complete. */
        void release() throws Exception {
            if (held != null) {
                held.finish();
            } else {
                upstream.release.complete(Boolean.TRUE);
            }
            for (StreamedChat s : streams) {
                s.assertCompleted();
            }
            HttpResponse<String> r = whole.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertEquals(model + ": " + r.body(), 200, r.statusCode());
            assertTrue(model + ": ChatService.chat answered nothing",
                    direct.get(TIMEOUT_MS, TimeUnit.MILLISECONDS).content() != null);
        }

        void assertEndedWithError(String... says) throws Exception {
            for (StreamedChat s : streams) {
                s.assertEndedWithError(says);
            }
            HttpResponse<String> r = whole.get(ENDS_WITHIN_MS, TimeUnit.MILLISECONDS);
            assertEquals(model + ": " + r.body(), 503, r.statusCode());
            String failure;
            try {
                failure = "answered " + direct.get(ENDS_WITHIN_MS, TimeUnit.MILLISECONDS).content();
            } catch (ExecutionException e) {
                failure = e.getCause().getMessage();
            }
            for (String text : says) {
                assertTrue(model + " whole: " + r.body(), r.body().contains(text));
                assertTrue(model + " ChatService.chat: " + failure, failure.contains(text));
            }
        }
    }

    /** One streamed chat through the gateway: every line of its answer as it arrives. */
    private final class StreamedChat {
        final String model;
        final LineCollector lines = new LineCollector();
        final CompletableFuture<HttpResponse<Void>> response;

        StreamedChat(String model) {
            this.model = model;
            response = http.sendAsync(chatRequest(model, true), HttpResponse.BodyHandlers.fromLineSubscriber(lines));
        }

        void awaitFirstChunk() throws Exception {
            awaitCondition(model + ": no first chunk", () -> !lines.lines("data: {").isEmpty());
        }

        void assertCompleted() throws Exception {
            lines.ended.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertEquals(model + ": " + text(), 200, response.get().statusCode());
            List<String> data = lines.lines("data: ");
            assertEquals(model + " did not end with [DONE]: " + text(), "data: [DONE]", data.get(data.size() - 1));
            assertTrue(model + " had an error: " + text(), !text().contains("\"error\""));
        }

        void assertEndedWithError(String... says) throws Exception {
            long endedAt = lines.ended.get(ENDS_WITHIN_MS, TimeUnit.MILLISECONDS);
            List<String> data = lines.lines("data: ");
            String error = data.size() < 2 ? "" : data.get(data.size() - 2);
            System.out.println(model + " ended " + TimeUnit.NANOSECONDS.toMillis(endedAt - changedAt)
                    + " ms after its provider was changed: " + error);
            assertTrue(model + " did not end with an error event and [DONE]: " + text(),
                    data.get(data.size() - 1).equals("data: [DONE]") && error.startsWith("data: {\"error\""));
            for (String text : says) {
                assertTrue(model + "'s error does not say '" + text + "': " + error, error.contains(text));
            }
        }

        String text() {
            return String.join("\n", lines.lines());
        }
    }

    /** A fake upstream whose answers are held until the test releases them, and its provider's configuration. */
    private final class Upstream implements AutoCloseable {
        final String id;
        final FakeUpstream upstream = new FakeUpstream();
        final CompletableFuture<Boolean> release = new CompletableFuture<>();
        final List<CompletableFuture<Boolean>> closed = Collections.synchronizedList(new ArrayList<>());

        Upstream(String id) throws Exception {
            this.id = id;
            upstream.script(r -> {
                if (!r.path.endsWith("/chat/completions")) {
                    return FakeUpstream.defaultReply(r);
                }
                if (!r.body.contains("\"stream\":true")) {
                    return FakeUpstream.Reply.jsonHeld(FakeUpstream.defaultReply(r).body, release);
                }
                CompletableFuture<Boolean> c = new CompletableFuture<>();
                closed.add(c);
                return FakeUpstream.Reply.sseHeld(List.of("{\"id\":\"s1\",\"object\":\"chat.completion.chunk\","
                        + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}"),
                        release, c);
            });
            configure();
        }

        /** Writes the provider's configuration: name, base URL and model m, with these properties over them. */
        void configure(Object... more) throws Exception {
            List<Object> all = new ArrayList<>(List.of("name", "Provider " + id, "baseUrl", upstream.baseUrl(),
                    "models", new String[] { "m" }));
            Collections.addAll(all, more);
            provider(id, all.toArray());
        }

        long chats() {
            return upstream.all().stream().filter(r -> r.path.endsWith("/chat/completions")).count();
        }

        /** The hub cancelled the upstream calls of the streams: their connections are closed. */
        void assertConnectionsClosed() throws Exception {
            List<CompletableFuture<Boolean>> all;
            synchronized (closed) {
                all = new ArrayList<>(closed);
            }
            for (CompletableFuture<Boolean> c : all) {
                assertTrue("a stream of " + id + " kept its upstream connection",
                        c.get(ENDS_WITHIN_MS, TimeUnit.MILLISECONDS));
            }
        }

        @Override
        public void close() {
            release.complete(Boolean.TRUE);
            upstream.close();
        }
    }

    private HttpRequest chatRequest(String model, boolean stream) {
        return HttpRequest.newBuilder(URI.create(base() + "/v1/chat/completions")).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"stream\":" + stream
                        + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build();
    }

    private HttpResponse<String> whole(String model) throws Exception {
        return http.send(chatRequest(model, false), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> api(String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String base() {
        return "http://127.0.0.1:" + context.getProperty("org.osgi.service.http.port");
    }

    /** Refreshes the bundle's wiring (and its dependents') and waits until it is done. */
    private void refresh(Bundle bundle) throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        context.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(List.of(bundle), e -> done.countDown());
        assertTrue("the refresh did not finish", done.await(TIMEOUT_MS, TimeUnit.MILLISECONDS));
    }
}
