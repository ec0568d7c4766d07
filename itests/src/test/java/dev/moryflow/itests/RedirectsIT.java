package dev.moryflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.Configuration;

import dev.moryflow.http.HttpClients;
import dev.moryflow.provider.ChatChunk;
import dev.moryflow.provider.ChatRequest;
import dev.moryflow.provider.ChatResponse;
import dev.moryflow.provider.ChatStreamListener;
import dev.moryflow.provider.Problem;
import dev.moryflow.provider.ProviderException;
import dev.moryflow.provider.ProviderService;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * "Redirects are never followed", proved on the wire: an upstream on 127.0.0.1 answers every request with a
 * {@code 307} or {@code 302} whose {@code Location} points at a second upstream on 127.0.0.2 (another host, still on
 * loopback). Whole and streamed chats (through the chat service and through the gateway's {@code /v1}), the remote
 * model list (provider service and {@code /api/providers/{id}/remote-models}) and a doctor run must all end in a
 * clear error naming the redirect, and the second upstream must receive no request at all. A client that does follow
 * redirects reaches the second upstream through the same setup, so the test would see a hub that followed.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RedirectsIT extends HubTestSupport {

    private static final String ID = "moved";
    private static final String MODEL = "moved-model";
    private static final String KEY = "sk-redirect-0123456789abcdefghij";
    private static final String TOKEN = "mf-itest-redirect-token-0123456789";

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private FakeUpstream first;
    private FakeUpstream elsewhere;

    @org.ops4j.pax.exam.Configuration
    public Option[] config() throws Exception {
        int port = freePort();
        return hub(newWorkDir("redirects"),
                gateway(port));
    }

    @Before
    public void setUp() throws Exception {
        first = new FakeUpstream();
        elsewhere = new FakeUpstream(InetAddress.getByName("127.0.0.2"));
        assertTrue("the second upstream must be on another host: " + elsewhere.origin(),
                elsewhere.origin().startsWith("http://127.0.0.2:"));
        gatewayToken(TOKEN);
        provider(ID, "name", "Moved", "baseUrl", first.baseUrl(), "apiKey", KEY, "models", new String[] { MODEL });
        awaitProvider(ID);
        awaitKeyStored(ID);
        awaitCondition("the API is not served", () -> send("GET", "/v1/models", null).statusCode() == 200);
    }

    @After
    public void tearDown() throws Exception {
        deleteProviders();
        first.close();
        elsewhere.close();
    }

    @Test
    public void a307ToAnotherHostIsReportedAndThatHostGetsNoRequest() throws Exception {
        redirectedEverywhereAndNothingArrivesElsewhere(307);
    }

    @Test
    public void a302ToAnotherHostIsReportedAndThatHostGetsNoRequest() throws Exception {
        redirectedEverywhereAndNothingArrivesElsewhere(302);
    }

    @Test
    public void aClientThatFollowsRedirectsWouldReachTheOtherHost() throws Exception {
        // the proof that the tests above can fail: the same redirect, followed, arrives at the second upstream
        first.script(r -> FakeUpstream.Reply.redirect(307, elsewhere.origin() + r.path));
        HttpClients http = context.getService(awaitService(HttpClients.class, ""));
        OkHttpClient following = http.client().newBuilder().followRedirects(true).build();
        try (Response r = following.newCall(new Request.Builder().url(first.baseUrl() + "/models").build())
                .execute()) {
            assertEquals(200, r.code());
        }
        FakeUpstream.Received arrived = elsewhere.take();
        assertEquals("/v1/models", arrived.path);
    }

    private void redirectedEverywhereAndNothingArrivesElsewhere(int status) throws Exception {
        first.script(r -> FakeUpstream.Reply.redirect(status, elsewhere.origin() + r.path));
        String expected = "the provider redirects to " + elsewhere.origin() + "/v1/";
        List<String> errors = new ArrayList<>();

        // whole chat through the chat service
        try {
            chatService().chat(ChatRequest.of(MODEL, "whole"));
            fail("a " + status + " was taken for an answer");
        } catch (ProviderException e) {
            assertRedirectProblem(status, e);
            errors.add(e.describe());
        }
        // streamed chat through the chat service
        CompletableFuture<ProviderException> failed = new CompletableFuture<>();
        chatService().stream(ChatRequest.of(MODEL, "streamed"), new ChatStreamListener() {
            @Override
            public void onChunk(ChatChunk chunk) {
                failed.completeExceptionally(new AssertionError("a chunk came through a " + status));
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
        ProviderException streamed;
        try {
            streamed = failed.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        }
        assertRedirectProblem(status, streamed);
        errors.add(streamed.describe());
        // the remote model list through the provider service
        ProviderService provider = context.getService(awaitProvider(ID));
        try {
            provider.listRemoteModels();
            fail("a " + status + " was taken for a model list");
        } catch (ProviderException e) {
            assertRedirectProblem(status, e);
            errors.add(e.describe());
        }
        // the same through the gateway, as a client sees them, and a doctor run
        for (String[] call : new String[][] {
                { "POST", "/v1/chat/completions", chatBody(false) },
                { "POST", "/v1/chat/completions", chatBody(true) },
                { "GET", "/api/providers/" + ID + "/remote-models", null },
                { "POST", "/api/providers/" + ID + "/test?model=" + MODEL, null } }) {
            HttpResponse<String> r = send(call[0], call[1], call[2]);
            String what = call[0] + " " + call[1] + " -> " + r.statusCode() + " " + r.body();
            assertFalse(what, r.headers().firstValue("Location").isPresent());
            assertTrue(what, r.body().contains(expected) && r.body().contains("HTTP " + status));
            if (!call[1].endsWith("/test?model=" + MODEL)) {
                assertTrue(what, r.statusCode() >= 400);
            }
            errors.add(r.body());
        }

        assertTrue("the first upstream was not called by every path: " + first.all(), first.all().size() >= 7);
        assertTrue("a redirect was followed to " + elsewhere.origin() + ": " + elsewhere.all(),
                elsewhere.all().isEmpty());
        for (String e : errors) {
            assertFalse("an error holds the key: " + e, e.contains(KEY));
        }
    }

    private static void assertRedirectProblem(int status, ProviderException e) {
        assertEquals(e.describe(), Problem.UPSTREAM_ERROR, e.problem());
        assertEquals(e.describe(), status, e.httpStatus());
        assertTrue(e.describe(), e.getMessage().startsWith("the provider redirects to http://127.0.0.2:")
                && e.getMessage().endsWith("(HTTP " + status + ")"));
        assertTrue(e.hint(), e.hint().contains("requests are not redirected automatically"));
        assertEquals(ID, e.providerId());
    }

    private static String chatBody(boolean stream) {
        return "{\"model\":\"" + ID + "/" + MODEL + "\",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"through the gateway\"}]}";
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        String port = context.getProperty("org.osgi.service.http.port");
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
