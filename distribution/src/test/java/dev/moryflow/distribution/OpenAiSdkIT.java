package dev.moryflow.distribution;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;

/**
 * The official OpenAI Java SDK uses the hub as its endpoint: whole and streamed chats and errors, each compared with
 * the same call made by the SDK straight to the fake upstream ({@link FakeOpenAiUpstream}): what the SDK sends reaches
 * the upstream as sent, and what the upstream answers (fields, usage details, errors, retry timing) reaches the SDK as
 * it would from the upstream directly.
 */
public class OpenAiSdkIT {

    private static RunningHub hub;
    /** The SDK pointed at the hub. */
    private static OpenAIClient client;
    /** The SDK pointed straight at the fake upstream: what the hub's answers are compared with. */
    private static OpenAIClient direct;

    /** Where an SDK is pointed: the hub's /v1 with the gateway token, or the fake upstream itself. */
    private record Endpoint(String name, String baseUrl, String apiKey) {
        static Endpoint hub() {
            return new Endpoint("through the hub", hub.base() + "/v1", RunningHub.TOKEN);
        }

        static Endpoint upstream() {
            return new Endpoint("straight to the upstream", hub.upstreamBaseUrl(), "sk-direct-to-the-fake");
        }

        OpenAIClient sdk(int maxRetries) {
            return OpenAIOkHttpClient.builder().baseUrl(baseUrl).apiKey(apiKey).maxRetries(maxRetries).build();
        }
    }

    @BeforeClass
    public static void start() throws Exception {
        hub = new RunningHub();
        client = Endpoint.hub().sdk(0);
        direct = Endpoint.upstream().sdk(0);
    }

    @AfterClass
    public static void stop() throws Exception {
        for (OpenAIClient c : new OpenAIClient[] { client, direct }) {
            if (c != null) {
                c.close();
            }
        }
        if (hub != null) {
            hub.close();
        }
    }

    private static ChatCompletionCreateParams params(String model) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage("hello from the SDK").build();
    }

    /** A chat with what OpenAI's reasoning models take and the hub does not model: max_completion_tokens, logprobs. */
    private static ChatCompletionCreateParams.Builder reasoningParams() {
        return ChatCompletionCreateParams.builder().model("chat-model").addUserMessage("hello from the SDK")
                .maxCompletionTokens(1000L).logprobs(true).topLogprobs(2L);
    }

    /**
     * A route ({@code deploy/moryflow.route-fast.cfg}) whose first target is down (nothing listens on its port):
     * every chat for {@code fast}, whole and streamed, is answered by the second, and the answer names it and the
     * targets tried; after three such chats the provider listing shows the first as degraded.
     */
    @Test
    public void aRoutesChatThroughTheSdkSucceedsWhenItsFirstTargetIsDown() throws Exception {
        java.nio.file.Path down = hub.home().resolve("deploy/moryflow.provider.openai-down.cfg");
        java.nio.file.Path route = hub.home().resolve("deploy/moryflow.route-fast.cfg");
        java.nio.file.Files.writeString(down, "baseUrl = http://127.0.0.1:" + RunningHub.freePort() + "/v1\n"
                + "models = offline-model\n");
        java.nio.file.Files.writeString(route, "targets = down/offline-model, fake/chat-model\n");
        try {
            RunningHub.awaitHttp(hub.base() + "/v1/models", "\"targets\":[\"down/offline-model\",\"fake/chat-model\"]",
                    RunningHub.TOKEN);
            com.openai.core.http.HttpResponseFor<ChatCompletion> whole = client.chat().completions().withRawResponse()
                    .create(params("fast"));
            assertEquals(List.of("fake"), whole.headers().values("X-MoryFlow-Provider"));
            assertEquals(List.of("down/offline-model, fake/chat-model"),
                    whole.headers().values("X-MoryFlow-Route-Attempts"));
            ChatCompletion c = whole.parse();
            assertEquals(RunningHub.ANSWER, c.choices().get(0).message().content().orElseThrow());
            assertEquals("fast", c.model());

            try (com.openai.core.http.HttpResponseFor<StreamResponse<ChatCompletionChunk>> streamed = client.chat()
                    .completions().withRawResponse().createStreaming(params("fast"))) {
                assertEquals(List.of("fake"), streamed.headers().values("X-MoryFlow-Provider"));
                assertEquals(List.of("down/offline-model, fake/chat-model"),
                        streamed.headers().values("X-MoryFlow-Route-Attempts"));
                StringBuilder text = new StringBuilder();
                try (StreamResponse<ChatCompletionChunk> chunks = streamed.parse()) {
                    chunks.stream().forEach(chunk -> {
                        assertEquals("fast", chunk.model());
                        chunk.choices().forEach(ch -> ch.delta().content().ifPresent(text::append));
                    });
                }
                assertEquals(RunningHub.ANSWER, text.toString());
            }
            assertEquals(RunningHub.ANSWER, client.chat().completions().create(params("fast")).choices().get(0)
                    .message().content().orElseThrow());
            RunningHub.awaitHttp(hub.base() + "/api/providers/down", "\"health\":\"degraded\"", RunningHub.TOKEN);
            RunningHub.awaitHttp(hub.base() + "/api/providers/fake", "\"health\":\"healthy\"", RunningHub.TOKEN);
        } finally {
            java.nio.file.Files.deleteIfExists(route);
            java.nio.file.Files.deleteIfExists(down);
        }
    }

    @Test
    public void wholeChatThroughTheSdk() {
        ChatCompletion c = client.chat().completions().create(params("fake/chat-model"));
        assertEquals(RunningHub.ANSWER, c.choices().get(0).message().content().orElseThrow());
        assertEquals(8L, c.usage().orElseThrow().totalTokens());
    }

    @Test
    public void streamedChatThroughTheSdkIsTheUpstreamsStreamWithoutAUsageChunkItDidNotAskFor() {
        StringBuilder text = new StringBuilder();
        List<ChatCompletionChunk> chunks = streamed(client, params("chat-model"));
        assertEquals(streamed(direct, params("chat-model")), chunks);
        chunks.forEach(chunk -> chunk.choices().forEach(ch -> ch.delta().content().ifPresent(text::append)));
        assertEquals(RunningHub.ANSWER, text.toString());
        assertTrue("the answer came in pieces", chunks.size() >= 4);
        assertTrue("no usage chunk for a client that did not ask for it",
                chunks.stream().allMatch(chunk -> chunk.usage().isEmpty()));
    }

    @Test
    public void maxCompletionTokensAndLogprobsReachTheUpstreamAsTheSdkSentThem() {
        direct.chat().completions().create(reasoningParams().build());
        String sentDirectly = hub.upstream().last().body();
        client.chat().completions().create(reasoningParams().build());
        String viaHub = hub.upstream().last().body();
        assertTrue(sentDirectly, sentDirectly.contains("\"max_completion_tokens\":1000"));
        assertEquals("the upstream got the SDK's body byte for byte", sentDirectly, viaHub);
        assertFalse(viaHub, viaHub.contains("max_tokens"));
    }

    @Test
    public void wholeAnswerWithLogprobsAndUsageDetailsReachesTheSdkAsTheUpstreamSentIt() {
        ChatCompletion expected = direct.chat().completions().create(reasoningParams().build());
        ChatCompletion c = client.chat().completions().create(reasoningParams().build());
        assertEquals(expected, c);
        ChatCompletion.Choice choice = c.choices().get(0);
        assertEquals(FakeOpenAiUpstream.PIECES.size(), choice.logprobs().orElseThrow().content().orElseThrow().size());
        assertEquals("Hello", choice.logprobs().orElseThrow().content().orElseThrow().get(0).token());
        assertEquals(2, choice.logprobs().orElseThrow().content().orElseThrow().get(0).topLogprobs().size());
        assertUsageDetails(c.usage().orElseThrow());
        assertEquals("chatcmpl-fake-whole", c.id());
        assertEquals("fp_fake0001", c.systemFingerprint().orElseThrow());
    }

    @Test
    public void streamedAnswerWithLogprobsAndUsageDetailsReachesTheSdkAsTheUpstreamSentIt() {
        ChatCompletionCreateParams p = reasoningParams()
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        List<ChatCompletionChunk> expected = streamed(direct, p);
        String sentDirectly = hub.upstream().last().body();
        List<ChatCompletionChunk> chunks = streamed(client, p);
        assertEquals("the upstream got the SDK's body byte for byte", sentDirectly, hub.upstream().last().body());
        assertEquals(expected, chunks);
        assertEquals("Hello", chunks.get(0).choices().get(0).logprobs().orElseThrow().content().orElseThrow().get(0)
                .token());
        assertUsageDetails(chunks.get(chunks.size() - 1).usage().orElseThrow());
    }

    private static void assertUsageDetails(CompletionUsage usage) {
        assertEquals(3L, (long) usage.promptTokensDetails().orElseThrow().cachedTokens().orElseThrow());
        assertEquals(2L, (long) usage.completionTokensDetails().orElseThrow().reasoningTokens().orElseThrow());
    }

    private static List<ChatCompletionChunk> streamed(OpenAIClient sdk, ChatCompletionCreateParams p) {
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = sdk.chat().completions().createStreaming(p)) {
            stream.stream().forEach(chunks::add);
        }
        return chunks;
    }

    @Test
    public void rateLimitWithRetryAfterMakesTheSdkWaitAsLongAsItWouldAtTheUpstreamWholeAndStreamed() {
        for (boolean streamed : new boolean[] { false, true }) {
            assertRetriedAfterRetryAfter(streamed);
        }
    }

    private static void assertRetriedAfterRetryAfter(boolean streamed) {
        Tries directly = triesUntilTheSdkGivesUp(Endpoint.upstream(), RateLimitException.class, "rate-limited-model",
                streamed);
        Tries viaHub = triesUntilTheSdkGivesUp(Endpoint.hub(), RateLimitException.class, "rate-limited-model",
                streamed);
        // an SDK that is not told to wait 2 s backs off about 0.5 s, then 1 s: 3 tries in 1.5 s
        long wanted = TimeUnit.SECONDS.toMillis(FakeOpenAiUpstream.RETRY_AFTER_SECONDS) - 100;
        for (Tries tries : List.of(directly, viaHub)) {
            assertEquals(tries.endpoint + ": 3 tries, the first and 2 retries " + tries.gapsMillis, 2,
                    tries.gapsMillis.size());
            assertTrue(tries.endpoint + ": the SDK waited Retry-After before each retry, " + tries.gapsMillis
                    + " ms between tries (straight to the upstream: " + directly.gapsMillis + " ms)",
                    tries.gapsMillis.stream().allMatch(gap -> gap >= wanted));
        }
        assertEquals(429, viaHub.error.statusCode());
        for (String header : List.of("retry-after", "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests",
                "x-ratelimit-reset-requests")) {
            assertEquals(header, directly.error.headers().values(header), viaHub.error.headers().values(header));
        }
        assertEquals("rate_limit_exceeded", viaHub.error.code().orElse(null));
    }

    @Test
    public void upstreamUnauthorizedReachesTheSdkAsUnauthorizedAndIsNotRetriedWholeAndStreamed() {
        for (Endpoint endpoint : List.of(Endpoint.upstream(), Endpoint.hub())) {
            for (boolean streamed : new boolean[] { false, true }) {
                assertUnauthorizedTriedOnce(endpoint, streamed);
            }
        }
    }

    private static void assertUnauthorizedTriedOnce(Endpoint endpoint, boolean streamed) {
        Tries tries = triesUntilTheSdkGivesUp(endpoint, UnauthorizedException.class, "revoked-key-model", streamed);
        assertEquals(tries.endpoint, 401, tries.error.statusCode());
        assertEquals(tries.error.getMessage(), "invalid_api_key", tries.error.code().orElse(null));
        assertTrue(tries.error.getMessage(), tries.error.getMessage().contains("Incorrect API key provided"));
        assertEquals(tries.endpoint + ": one try, as an SDK does not retry a 401 (it retries a 5xx)", List.of(),
                tries.gapsMillis);
    }

    /** The tries of one call (whole or streamed) at the fake upstream, and the SDK's error when it gave up. */
    private record Tries(String endpoint, List<Long> gapsMillis, OpenAIServiceException error) {
    }

    /**
     * Calls the model with an SDK that retries twice at most, expecting it to give up with that error.
     *
     * @return the gaps between the tries' arrivals at the fake upstream, and the error
     */
    private static Tries triesUntilTheSdkGivesUp(Endpoint endpoint, Class<? extends OpenAIServiceException> type,
            String model, boolean streamed) {
        int before = hub.upstream().received(model).size();
        OpenAIClient retrying = endpoint.sdk(2);
        OpenAIServiceException error;
        try {
            error = expect(type, streamed ? () -> streamed(retrying, params(model))
                    : () -> retrying.chat().completions().create(params(model)));
        } finally {
            retrying.close();
        }
        List<FakeOpenAiUpstream.Request> tries = hub.upstream().received(model);
        tries = tries.subList(before, tries.size());
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < tries.size(); i++) {
            gaps.add(TimeUnit.NANOSECONDS.toMillis(tries.get(i).arrivedNanos() - tries.get(i - 1).arrivedNanos()));
        }
        return new Tries(endpoint.name + (streamed ? ", streamed" : ", whole"), gaps, error);
    }

    /** @return the SDK's exception of that type, failing with what came instead */
    private static <E extends OpenAIServiceException> E expect(Class<E> type, Supplier<?> call) {
        try {
            Object answer = call.get();
            throw new AssertionError("expected " + type.getSimpleName() + ", got an answer: " + answer);
        } catch (OpenAIServiceException e) {
            if (!type.isInstance(e)) {
                throw new AssertionError("expected " + type.getSimpleName() + ", got " + e.getClass().getSimpleName()
                        + " " + e.statusCode() + ": " + e.getMessage(), e);
            }
            return type.cast(e);
        }
    }

    @Test
    public void unknownModelIsANotFoundErrorWithCloseMatches() {
        try {
            client.chat().completions().create(params("chat-modle"));
            fail("an unknown model was answered");
        } catch (NotFoundException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("chat-model"));
        }
    }
}
