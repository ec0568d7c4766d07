package dev.moryflow.chat.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;

import dev.moryflow.events.EventProperties;
import dev.moryflow.events.Topics;
import dev.moryflow.provider.ChatChunk;
import dev.moryflow.provider.ChatRequest;
import dev.moryflow.provider.ChatResponse;
import dev.moryflow.provider.ChatStreamListener;
import dev.moryflow.provider.Problem;
import dev.moryflow.provider.ProviderException;
import dev.moryflow.provider.StreamHandle;

public class ChatServiceImplTest {

    /** Events are posted from the routing table's own thread, a moment after a burst of provider changes. */
    private final List<Event> events = java.util.Collections.synchronizedList(new ArrayList<>());
    private final EventAdmin eventAdmin = new EventAdmin() {
        @Override
        public void postEvent(Event event) {
            events.add(event);
        }

        @Override
        public void sendEvent(Event event) {
            events.add(event);
        }
    };
    private final ChatServiceImpl chat = new ChatServiceImpl(null, eventAdmin, new HealthTracker(eventAdmin, 3, 60));

    private List<String> topics() {
        synchronized (events) {
            return events.stream().map(Event::getTopic).collect(Collectors.toList());
        }
    }

    /** Waits (2 s at most) until the events posted so far have these topics. */
    private void awaitTopics(List<String> expected) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(2);
        while (!expected.equals(topics()) && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        assertEquals(expected, topics());
    }

    private Event last(String topic) {
        Event found = null;
        for (Event e : events) {
            if (e.getTopic().equals(topic)) {
                found = e;
            }
        }
        return found;
    }

    @Test
    public void bindingAProviderMakesItsModelsRoutableAndPostsEvents() throws Exception {
        FakeProvider groq = new FakeProvider("groq", "mixtral");
        chat.bindProvider(groq, groq.props(1L, 0));
        awaitTopics(List.of(Topics.PROVIDER_ADDED, Topics.MODEL_ADDED));
        assertEquals("groq", last(Topics.PROVIDER_ADDED).getProperty(EventProperties.PROVIDER_ID));
        assertEquals(List.of("mixtral"), Arrays.asList((String[]) last(Topics.MODEL_ADDED).getProperty("models")));
        assertEquals("groq/mixtral", chat.models().get(0).qualifiedName());

        ChatResponse r = chat.chat(ChatRequest.of("mixtral", "hi"));
        assertEquals("groq:mixtral", r.content());
        assertEquals("groq", r.providerId());
    }

    @Test
    public void qualifiedRequestReachesTheProviderWithItsOwnModelId() throws Exception {
        FakeProvider together = new FakeProvider("together", "meta-llama/Llama-3-70b-chat-hf");
        chat.bindProvider(together, together.props(4L, 0));
        chat.chat(ChatRequest.of("together/meta-llama/Llama-3-70b-chat-hf", "hi"));
        assertEquals("meta-llama/Llama-3-70b-chat-hf", together.received.get(0).model());
        Event done = last(Topics.CHAT_COMPLETED);
        assertEquals("together/meta-llama/Llama-3-70b-chat-hf", done.getProperty(EventProperties.MODEL));
        assertEquals("together", done.getProperty(EventProperties.PROVIDER_ID));
        assertEquals(Boolean.FALSE, done.getProperty(EventProperties.STREAM));
    }

    @Test
    public void unbindingRemovesModelsAndPostsRemovedEvents() throws Exception {
        FakeProvider p = new FakeProvider("p", "m");
        chat.bindProvider(p, p.props(1L, 0));
        awaitTopics(List.of(Topics.PROVIDER_ADDED, Topics.MODEL_ADDED));
        events.clear();
        chat.unbindProvider(p.reference(1L, Bundle.ACTIVE, null));
        awaitTopics(List.of(Topics.PROVIDER_REMOVED, Topics.MODEL_REMOVED));
        assertTrue(chat.models().isEmpty());
        try {
            chat.chat(ChatRequest.of("m", "hi"));
            fail("routed to a removed provider");
        } catch (ProviderException e) {
            assertEquals(Problem.MODEL_NOT_FOUND, e.problem());
        }
    }

    @Test
    public void modifiedModelsPostModifiedAndTheModelDifference() throws Exception {
        FakeProvider p = new FakeProvider("p", "a", "b");
        chat.bindProvider(p, p.props(1L, 0));
        awaitTopics(List.of(Topics.PROVIDER_ADDED, Topics.MODEL_ADDED));
        events.clear();
        FakeProvider changed = new FakeProvider("p", "b", "c");
        chat.updatedProvider(changed, changed.props(1L, 0));
        awaitTopics(List.of(Topics.PROVIDER_MODIFIED, Topics.MODEL_REMOVED, Topics.MODEL_ADDED));
        assertEquals(List.of("a"), Arrays.asList((String[]) last(Topics.MODEL_REMOVED).getProperty("models")));
        assertEquals(List.of("c"), Arrays.asList((String[]) last(Topics.MODEL_ADDED).getProperty("models")));
    }

    @Test
    public void serviceWithoutProviderIdIsIgnored() {
        FakeProvider p = new FakeProvider("p", "a");
        java.util.Map<String, Object> props = p.props(1L, 0);
        props.remove("provider.id");
        chat.bindProvider(p, props);
        assertTrue(chat.models().isEmpty());
        assertTrue(events.isEmpty());
    }

    @Test
    public void providerFailureIsRethrownWithProviderAndPostsFailed() {
        FakeProvider p = new FakeProvider("p", "m");
        p.failWith = new ProviderException(Problem.AUTHENTICATION, "401 from upstream", null, 401, "invalid_api_key",
                null, null);
        chat.bindProvider(p, p.props(1L, 0));
        try {
            chat.chat(ChatRequest.of("m", "hi"));
            fail();
        } catch (ProviderException e) {
            assertEquals("p", e.providerId());
            Event failed = last(Topics.CHAT_FAILED);
            assertEquals("AUTHENTICATION", failed.getProperty(EventProperties.PROBLEM));
            assertEquals(401, failed.getProperty(EventProperties.HTTP_STATUS));
            assertNull("no message content in events", failed.getProperty("message"));
        }
    }

    @Test
    public void streamForwardsChunksAndCompletesWithProvider() {
        FakeProvider p = new FakeProvider("p", "m");
        chat.bindProvider(p, p.props(1L, 0));
        Recorder rec = new Recorder();
        chat.stream(ChatRequest.of("m", "hi"), rec);
        p.playStream("m");
        assertEquals("Hello", rec.text.toString());
        assertEquals("p", rec.done.providerId());
        assertEquals(Boolean.TRUE, last(Topics.CHAT_COMPLETED).getProperty(EventProperties.STREAM));
    }

    @Test
    public void streamNamesItsProviderBeforeTheRequestIsSent() {
        Recorder rec = new Recorder();
        List<String> namedWhenSent = new ArrayList<>();
        FakeProvider a = new FakeProvider("zeta", "m");
        FakeProvider b = new FakeProvider("alpha", "m") {
            @Override
            public StreamHandle stream(ChatRequest request, ChatStreamListener listener) {
                namedWhenSent.add(String.valueOf(rec.provider));
                return super.stream(request, listener);
            }
        };
        chat.bindProvider(a, a.props(1L, 0));
        chat.bindProvider(b, b.props(2L, 0));
        chat.stream(ChatRequest.of("m", "hi"), rec);
        assertEquals("the listener knew the provider when the request was sent", List.of("alpha"), namedWhenSent);
        assertNull("zeta was not asked", a.lastListener);
        b.playStream("m");
        assertEquals(List.of("provider alpha", "chunk", "chunk", "complete"), rec.calls);
    }

    @Test
    public void streamOfUnknownModelFailsThroughTheListener() {
        Recorder rec = new Recorder();
        StreamHandle h = chat.stream(ChatRequest.of("nope", "hi"), rec);
        assertTrue(h.isDone());
        assertEquals(Problem.MODEL_NOT_FOUND, rec.error.problem());
        assertNull("no provider is named when routing fails", rec.provider);
        assertEquals("MODEL_NOT_FOUND", last(Topics.CHAT_FAILED).getProperty(EventProperties.PROBLEM));
    }

    @Test
    public void cancelledStreamCancelsUpstreamAndCallsTheListenerNoMore() {
        FakeProvider p = new FakeProvider("p", "m");
        chat.bindProvider(p, p.props(1L, 0));
        Recorder rec = new Recorder();
        StreamHandle h = chat.stream(ChatRequest.of("m", "hi"), rec);
        p.lastListener.onChunk(ChatChunk.text("a"));
        h.cancel();
        assertTrue(p.cancelled.get());
        assertTrue(h.isDone());
        p.lastListener.onChunk(ChatChunk.text("b"));
        p.lastListener.onComplete(new ChatResponse(null, "m", null, "ab", null, "stop", null, null));
        assertEquals("a", rec.text.toString());
        assertNull(rec.done);
        assertNull(rec.error);
        assertEquals("CANCELLED", last(Topics.CHAT_FAILED).getProperty(EventProperties.PROBLEM));
    }

    @Test
    public void aStreamWhoseProviderGoesIsCancelledAndEndsWithWhatHappenedAndAnotherProvidersStreamGoesOn() {
        FakeProvider p = new FakeProvider("p", "m");
        FakeProvider q = new FakeProvider("q", "n");
        chat.bindProvider(p, p.props(1L, 0));
        chat.bindProvider(q, q.props(2L, 0));
        Recorder ofP = new Recorder();
        Recorder ofQ = new Recorder();
        StreamHandle h = chat.stream(ChatRequest.of("m", "hi"), ofP);
        chat.stream(ChatRequest.of("n", "hi"), ofQ);
        ChatStreamListener fromP = p.lastListener;
        fromP.onChunk(ChatChunk.text("a"));
        chat.unbindProvider(p.reference(1L, Bundle.STOPPING, null));
        assertTrue("the removed provider's call was not cancelled", p.cancelled.get());
        assertTrue(h.isDone());
        assertEquals(Problem.NOT_READY, ofP.error.problem());
        assertEquals("provider 'p' was removed while this chat was running (its bundle test.bundle stopped: it was "
                + "stopped, updated or uninstalled)", ofP.error.getMessage());
        assertEquals("p", ofP.error.providerId());
        assertEquals("NOT_READY", last(Topics.CHAT_FAILED).getProperty(EventProperties.PROBLEM));
        fromP.onChunk(ChatChunk.text("late"));
        fromP.onComplete(new ChatResponse(null, "m", null, "a late", null, "stop", null, null));
        assertEquals(List.of("provider p", "chunk", "error"), ofP.calls);
        q.playStream("n");
        assertEquals("Hello", ofQ.done.content());
        assertNull(ofQ.error);
    }

    @Test
    public void aWholeChatWaitingForAProviderThatGoesEndsWithWhatHappened() throws Exception {
        FakeProvider p = new FakeProvider("p", "m");
        p.holdWholeChats = true;
        chat.bindProvider(p, p.props(1L, 0));
        CompletableFuture<ProviderException> failed = CompletableFuture
                .supplyAsync(() -> {
                    try {
                        chat.chat(ChatRequest.of("m", "hi"));
                        return null;
                    } catch (ProviderException e) {
                        return e;
                    }
                });
        assertTrue("the chat did not reach the provider", p.called.await(10, TimeUnit.SECONDS));
        chat.unbindProvider(p.reference(1L, Bundle.ACTIVE, "moryflow.provider.openai~p"));
        ProviderException e = failed.get(10, TimeUnit.SECONDS);
        assertEquals(Problem.NOT_READY, e.problem());
        assertTrue(e.getMessage(), e.getMessage().endsWith("(its bundle test.bundle withdrew it)"));
        assertTrue(p.cancelled.get());
    }

    @Test
    public void aProviderThatThrowsAtRuntimeBecomesAnUpstreamError() {
        FakeProvider p = new FakeProvider("p", "m") {
            @Override
            public ChatResponse chat(ChatRequest request) {
                throw new IllegalStateException("boom");
            }
        };
        chat.bindProvider(p, p.props(1L, 0));
        try {
            chat.chat(ChatRequest.of("m", "hi"));
            fail();
        } catch (ProviderException e) {
            assertEquals(Problem.UPSTREAM_ERROR, e.problem());
            assertFalse(e.getMessage().contains("boom"));
        }
    }

    private static final class Recorder implements ChatStreamListener {
        final StringBuilder text = new StringBuilder();
        final List<String> calls = new ArrayList<>();
        String provider;
        ChatResponse done;
        ProviderException error;

        @Override
        public void onProvider(String providerId) {
            provider = providerId;
            calls.add("provider " + providerId);
        }

        @Override
        public void onChunk(ChatChunk chunk) {
            calls.add("chunk");
            text.append(chunk.content());
        }

        @Override
        public void onComplete(ChatResponse response) {
            calls.add("complete");
            done = response;
        }

        @Override
        public void onError(ProviderException e) {
            calls.add("error");
            error = e;
        }
    }
}
