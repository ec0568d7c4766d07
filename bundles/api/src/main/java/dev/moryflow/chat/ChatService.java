package dev.moryflow.chat;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

import dev.moryflow.provider.ChatRequest;
import dev.moryflow.provider.ChatResponse;
import dev.moryflow.provider.ChatStreamListener;
import dev.moryflow.provider.ProviderException;
import dev.moryflow.provider.StreamHandle;
import dev.moryflow.provider.WholeAnswer;

/**
 * Routes chats to providers by model name. A name is resolved in this order:
 * <ol>
 * <li>{@code provider/model}: that provider's model (the model part may itself contain {@code /});</li>
 * <li>a bare model id: the one provider that lists it; when several do, the one with the highest
 * {@code service.ranking}, and among equal rankings the smallest provider id (compared as strings, so {@code groq}
 * before {@code openai}); never the order the services were registered in. {@link Route#alternatives()} names the
 * others in the same order, and the answer names the provider that gave it
 * ({@link dev.moryflow.provider.ChatResponse#providerId()});</li>
 * <li>an alias of a {@code moryflow.route} configuration ({@link RouteDefinition}): its targets in order, skipping
 * those that cannot take the request, degraded providers last; a failure a retry can fix moves the chat to the next
 * target, never once a chunk has reached the listener ({@link Route.Kind#ALIAS});</li>
 * <li>otherwise an error of {@link dev.moryflow.provider.Problem#MODEL_NOT_FOUND} whose hint lists close
 * matches.</li>
 * </ol>
 * Each finished chat posts {@code moryflow/chat/COMPLETED} or {@code moryflow/chat/FAILED}.
 * <p>
 * <b>Chats in flight when their provider goes.</b> A chat, streamed or whole, runs through one provider service
 * registration. When that service is unregistered while the chat runs (its configuration deleted or disabled, its
 * bundle stopped, updated or uninstalled, a service it needs gone), the chat ends at once: the provider's call is
 * cancelled and the listener (or the waiting {@link #chat} caller) gets {@link ProviderException#removed}, naming
 * the provider and what happened; nothing of another provider's answer follows. A change that keeps the
 * registration (a configuration updated in place, a key rotated) lets the chat complete. Chats through other
 * providers are not touched.
 */
@ProviderType
public interface ChatService {

    /**
     * @param model a model name as a client gives it
     * @return the route the name resolves to
     * @throws ProviderException {@code MODEL_NOT_FOUND} with close matches when nothing matches
     */
    Route resolve(String model) throws ProviderException;

    /** @return every routable model, ordered by provider id then model id */
    List<RoutedModel> models();

    /**
     * @return the {@code moryflow.model} configurations whose provider is not there, ordered by provider and model
     * @since 1.2
     */
    List<OrphanedModel> orphanedModels();

    /**
     * @param providerId a provider id
     * @return why that provider's models cannot answer now ({@link dev.moryflow.provider.ProviderInfo#unavailableReason}),
     *         or empty when they can, or the provider is not known
     * @since 1.2
     */
    java.util.Optional<String> unavailable(String providerId);

    /**
     * @return every {@code moryflow.route}, ordered by alias, the refused ones with their reason
     * @since 1.4
     */
    default List<RouteDefinition> routes() {
        return List.of();
    }

    /**
     * @param providerId a provider id
     * @return its health as read from its chats and tests; healthy when nothing is known against it
     * @since 1.4
     */
    default ProviderHealth health(String providerId) {
        return ProviderHealth.healthy(providerId);
    }

    /**
     * Resolves the request's model and sends the chat, waiting for the whole answer.
     *
     * @param request the request
     * @return the answer, naming the provider that gave it
     * @throws ProviderException when routing fails or the provider fails
     */
    ChatResponse chat(ChatRequest request) throws ProviderException;

    /**
     * Resolves the request's model and streams the answer. Routing failures reach the listener's
     * {@code onError} like any other failure.
     *
     * @param request  the request
     * @param listener receives the chunks and the end
     * @return a handle to cancel the stream
     */
    StreamHandle stream(ChatRequest request, ChatStreamListener listener);

    /**
     * Resolves the request's model and sends the chat for a whole answer without holding the caller's thread: the
     * listener is told {@code onProvider} before sending, then {@code onComplete} or {@code onError} once (routing
     * failures too). The handle cancels the upstream call. This default waits for {@link #chat(ChatRequest)}.
     *
     * @param request  the request
     * @param listener receives the provider, then the answer or the failure
     * @return a handle to cancel the call
     * @since 1.3
     */
    default StreamHandle chatAsync(ChatRequest request, ChatStreamListener listener) {
        return WholeAnswer.tell(listener, () -> chat(request));
    }
}
