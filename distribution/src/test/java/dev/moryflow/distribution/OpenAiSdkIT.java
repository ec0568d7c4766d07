package dev.moryflow.distribution;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;

/** The official OpenAI Java SDK uses the hub as its endpoint: whole and streamed chats, and an error. */
public class OpenAiSdkIT {

    private static RunningHub hub;
    private static OpenAIClient client;

    @BeforeClass
    public static void start() throws Exception {
        hub = new RunningHub();
        client = OpenAIOkHttpClient.builder().baseUrl(hub.base() + "/v1").apiKey(RunningHub.TOKEN).maxRetries(0)
                .build();
    }

    @AfterClass
    public static void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (hub != null) {
            hub.close();
        }
    }

    private static ChatCompletionCreateParams params(String model) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage("hello from the SDK").build();
    }

    @Test
    public void wholeChatThroughTheSdk() {
        ChatCompletion c = client.chat().completions().create(params("fake/chat-model"));
        assertEquals(RunningHub.ANSWER, c.choices().get(0).message().content().orElseThrow());
        assertEquals(8L, c.usage().orElseThrow().totalTokens());
    }

    @Test
    public void streamedChatThroughTheSdk() {
        StringBuilder text = new StringBuilder();
        int chunks = 0;
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions()
                .createStreaming(params("chat-model"))) {
            for (ChatCompletionChunk chunk : (Iterable<ChatCompletionChunk>) stream.stream()::iterator) {
                chunks++;
                chunk.choices().forEach(ch -> ch.delta().content().ifPresent(text::append));
            }
        }
        assertEquals(RunningHub.ANSWER, text.toString());
        assertTrue("the answer came in pieces", chunks >= 4);
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
