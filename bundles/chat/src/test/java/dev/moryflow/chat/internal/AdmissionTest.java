package dev.moryflow.chat.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import org.junit.Test;

import dev.moryflow.chat.RoutedModel;
import dev.moryflow.provider.Capability;
import dev.moryflow.provider.ChatMessage;
import dev.moryflow.provider.ChatRequest;
import dev.moryflow.provider.ContentPart;
import dev.moryflow.provider.ModelInfo;
import dev.moryflow.provider.Problem;
import dev.moryflow.provider.ProviderException;

public class AdmissionTest {

    private static final RoutedModel SMALL = routed("local", "tiny", 1000, EnumSet.of(Capability.CHAT));
    private static final RoutedModel BIG = routed("cloud", "huge", 200000,
            EnumSet.of(Capability.CHAT, Capability.VISION, Capability.TOOLS));
    private static final RoutedModel EMBED = routed("cloud", "embed", 8000, EnumSet.of(Capability.EMBEDDING));
    private static final List<RoutedModel> ALL = List.of(SMALL, BIG, EMBED);

    private static RoutedModel routed(String provider, String id, int window, EnumSet<Capability> caps) {
        return new RoutedModel(provider, provider, new ModelInfo(id, null, window, 0, caps), 0);
    }

    private static ProviderException refused(ChatRequest r, RoutedModel target) {
        try {
            Admission.check(r, target, true, ALL);
        } catch (ProviderException e) {
            return e;
        }
        fail("admitted " + r);
        return null;
    }

    @Test
    public void aPromptLargerThanTheContextWindowIsRefusedWithTheEstimateAndTheLimit() {
        ChatRequest r = ChatRequest.of("local/tiny", "x".repeat(8000));
        ProviderException e = refused(r, SMALL);
        assertEquals(Problem.CONTEXT_TOO_LONG, e.problem());
        assertTrue(e.getMessage(), e.getMessage().contains("about 2004 tokens of prompt"));
        assertTrue(e.getMessage(), e.getMessage().contains("context window of local/tiny (1000 tokens)"));
        assertTrue(e.hint(), e.hint().contains("cloud/huge (200000)"));
    }

    @Test
    public void maxTokensCountsAgainstTheWindowAndTheHintSaysHowFarToLowerIt() {
        ChatRequest r = ChatRequest.builder("local/tiny").message(ChatMessage.user("x".repeat(2000)))
                .maxTokens(600).build();
        ProviderException e = refused(r, SMALL);
        assertTrue(e.getMessage(), e.getMessage().contains("plus max_tokens 600 = 1104"));
        assertTrue(e.hint(), e.hint().startsWith("Lower max_tokens to at most 496"));
    }

    @Test
    public void aRequestThatFitsIsAdmitted() throws Exception {
        Admission.check(ChatRequest.of("local/tiny", "x".repeat(3000)), SMALL, true, ALL);
    }

    @Test
    public void imagesToAModelWithoutVisionAreRefusedAndAVisionModelIsSuggested() {
        ChatMessage withImage = new ChatMessage("user", null,
                List.of(ContentPart.text("what is this?"), ContentPart.image("https://example.com/cat.png")), null,
                null, Map.of());
        ProviderException e = refused(ChatRequest.builder("local/tiny").message(withImage).build(), SMALL);
        assertEquals(Problem.BAD_REQUEST, e.problem());
        assertTrue(e.getMessage(), e.getMessage().contains("cannot read images (its capabilities: chat)"));
        assertTrue(e.hint(), e.hint().contains("vision tag such as cloud/huge"));
    }

    @Test
    public void toolsToAModelWithoutToolsAreRefused() {
        ChatRequest r = ChatRequest.builder("local/tiny").message(ChatMessage.user("weather?"))
                .extra("tools", List.of(Map.of("type", "function"))).build();
        ProviderException e = refused(r, SMALL);
        assertTrue(e.getMessage(), e.getMessage().contains("cannot call tools"));
    }

    @Test
    public void anEmbeddingModelDoesNotChat() {
        ProviderException e = refused(ChatRequest.of("cloud/embed", "hi"), EMBED);
        assertTrue(e.getMessage(), e.getMessage().contains("does not chat"));
    }

    @Test
    public void aModelKnownByItsIdAloneGetsTheBenefitOfTheDoubt() throws Exception {
        ChatMessage withImage = new ChatMessage("user", null, List.of(ContentPart.image("https://x/y.png")), null,
                null, Map.of());
        Admission.check(ChatRequest.builder("local/tiny").message(withImage).build(), SMALL, false, ALL);
    }
}
