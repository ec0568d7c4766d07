package dev.moryflow.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.Test;

import dev.moryflow.chat.ChatService;
import dev.moryflow.chat.Route;
import dev.moryflow.chat.RoutedModel;
import dev.moryflow.provider.Capability;
import dev.moryflow.provider.ChatChunk;
import dev.moryflow.provider.ChatRequest;
import dev.moryflow.provider.ChatResponse;
import dev.moryflow.provider.ChatStreamListener;
import dev.moryflow.provider.KeyState;
import dev.moryflow.provider.ModelInfo;
import dev.moryflow.provider.Problem;
import dev.moryflow.provider.ProviderException;
import dev.moryflow.provider.ProviderInfo;
import dev.moryflow.provider.ProviderService;
import dev.moryflow.provider.StreamHandle;
import dev.moryflow.provider.Usage;

public class MoryflowCommandsTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Streams "Hel", "lo" from another thread, the way a provider's HTTP thread would. */
    private static class StreamingChat implements ChatService {
        final AtomicBoolean cancelled = new AtomicBoolean();
        volatile CountDownLatch release = new CountDownLatch(0);

        @Override
        public Route resolve(String model) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<RoutedModel> models() {
            return List.of(new RoutedModel("groq", "Groq", new ModelInfo("llama", "Llama 3.1", 131072, 8192,
                    Set.of(Capability.CHAT, Capability.TOOLS)), 0));
        }

        @Override
        public java.util.Optional<String> unavailable(String providerId) {
            return java.util.Optional.empty();
        }

        @Override
        public List<dev.moryflow.chat.OrphanedModel> orphanedModels() {
            return List.of(new dev.moryflow.chat.OrphanedModel("moryflow.model~gone-m", "gone", "m"));
        }

        @Override
        public ChatResponse chat(ChatRequest request) throws ProviderException {
            if (request.model().equals("bad")) {
                throw new ProviderException(Problem.MODEL_NOT_FOUND, "no provider offers model 'bad'",
                        "Did you mean: llama?", 0, null, null, null);
            }
            return new ChatResponse("1", "llama", "groq", "Hello", null, "stop", new Usage(3, 2, 5), null);
        }

        @Override
        public StreamHandle stream(ChatRequest request, ChatStreamListener listener) {
            CompletableFuture.runAsync(() -> {
                listener.onChunk(ChatChunk.text("Hel"));
                try {
                    release.await();
                } catch (InterruptedException e) {
                    return;
                }
                if (!cancelled.get()) {
                    listener.onChunk(ChatChunk.text("lo"));
                    listener.onComplete(new ChatResponse("1", "llama", "groq", "Hello", null, "stop", null, null));
                }
            });
            return new StreamHandle() {
                @Override
                public void cancel() {
                    cancelled.set(true);
                }

                @Override
                public boolean isDone() {
                    return cancelled.get();
                }
            };
        }
    }

    @Test
    public void chatPrintsTheStreamedAnswerAndWhoAnswered() {
        new MoryflowCommands(new StreamingChat(), List.of()).chat(out, false, "llama", "hi there");
        String s = printed();
        assertTrue(s, s.startsWith("Hello\n[groq/llama, "));
    }

    @Test
    public void wholeChatPrintsUsage() {
        new MoryflowCommands(new StreamingChat(), List.of()).chat(out, true, "llama", "hi");
        assertTrue(printed(), printed().contains("Hello\n[groq/llama, 3 prompt + 2 completion tokens, "));
    }

    @Test
    public void failedChatPrintsCauseAndFix() {
        new MoryflowCommands(new StreamingChat(), List.of()).chat(out, true, "bad", "hi");
        assertTrue(printed(), printed().contains("error: model not found: no provider offers model 'bad'\nfix: Did you mean: llama?"));
    }

    @Test
    public void interruptingTheCommandCancelsTheStream() throws Exception {
        StreamingChat chat = new StreamingChat();
        chat.release = new CountDownLatch(1);
        Thread t = new Thread(() -> new MoryflowCommands(chat, List.of()).chat(out, false, "llama", "hi"));
        t.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!printed().contains("Hel") && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        t.interrupt();
        t.join(10_000);
        chat.release.countDown();
        assertTrue(chat.cancelled.get());
        assertTrue(printed(), printed().contains("[cancelled]"));
    }

    @Test
    public void providersListsKeyStatusWithoutKeys() {
        ProviderService p = (ProviderService) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { ProviderService.class }, (proxy, m, args) -> {
                    if (m.getName().equals("info")) {
                        return new ProviderInfo("groq", "Groq", "openai", "https://api.groq.com/openai/v1", "groq",
                                KeyState.MISSING);
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
        String s = new MoryflowCommands(new StreamingChat(), List.of(p)).providerTable();
        assertEquals("ID    NAME  PROTOCOL  BASE URL                        TRANSPORT  KEY        MODELS\n"
                + "groq  Groq  openai    https://api.groq.com/openai/v1  https      needs key  1\n"
                + "Health: all healthy\n", s);
    }

    @Test
    public void aDegradedProviderIsNamedWithItsReasonUnderTheListing() {
        ProviderService p = (ProviderService) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { ProviderService.class }, (proxy, m, args) -> {
                    if (m.getName().equals("info")) {
                        return new ProviderInfo("down", "Down", "openai", "http://127.0.0.1:9/v1", null,
                                KeyState.NOT_REQUIRED);
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
        ChatService degraded = new StreamingChat() {
            @Override
            public dev.moryflow.chat.ProviderHealth health(String id) {
                return new dev.moryflow.chat.ProviderHealth(id, true, "3 failures in 60 s, the last: connection "
                        + "failed", 1L);
            }
        };
        String s = new MoryflowCommands(degraded, List.of(p)).providerTable();
        assertTrue(s, s.endsWith("Health: 0 healthy, 1 degraded (tried last by routes)\n"
                + "  down: degraded: 3 failures in 60 s, the last: connection failed\n"));
    }

    @Test
    public void plainHttpToAnotherMachineIsFlaggedInTheListing() {
        ProviderService p = (ProviderService) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { ProviderService.class }, (proxy, m, args) -> {
                    if (m.getName().equals("info")) {
                        return new ProviderInfo("lab", "Lab", "openai", "http://gpu-box.lab:8000/v1", null,
                                KeyState.PRESENT, dev.moryflow.provider.Transport.INSECURE_REFUSED);
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
        String s = new MoryflowCommands(new StreamingChat(), List.of(p)).providerTable();
        assertTrue(s, s.contains("http://gpu-box.lab:8000/v1  http: refused  set"));
    }

    @Test
    public void modelsShowsNameProviderContextAndTags() {
        String s = new MoryflowCommands(new StreamingChat(), List.of()).modelTable();
        assertTrue(s, s.contains("groq/llama  Llama 3.1  Groq      131072   chat,tools"));
    }

    @Test
    public void modelsReportsAModelEntryWhoseProviderIsGoneUntilItIsRemoved() {
        String s = new MoryflowCommands(new StreamingChat(), List.of()).modelTable();
        assertTrue(s, s.contains("gone/m: orphaned: provider gone is not there")
                && s.contains("remove the configuration moryflow.model~gone-m"));
    }
}
