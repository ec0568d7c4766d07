package dev.moryflow.provider;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * One configured AI provider: a preset, a custom OpenAI-compatible service, or anything a provider bundle adds. Each
 * is registered as an OSGi service with the properties named by the constants below; the chat bundle tracks them
 * all and routes requests by model.
 * <p>
 * Implementations read their API key from the {@code CredentialStore} at request time, so a new key applies to the
 * next request without a restart. No method returns, logs or throws a key.
 * <p>
 * <b>Calls in flight.</b> A configuration change should update the registered service in place (DS
 * {@code @Modified}, {@code setProperties}): calls already sent finish as they started, the next use the change.
 * When a provider is withdrawn (its configuration deleted or disabled, its bundle stopping, a service it needs
 * gone), its bundle should end its running calls first, telling each listener
 * {@link ProviderException#removed} with what happened and cancelling its upstream call, so that none of its
 * threads calls a listener afterwards. A {@code ChatService} ends the chats it routed through a service when the
 * service is unregistered in any case, for bundles that do not.
 */
@ConsumerType
public interface ProviderService {

    /** Service property (String): the provider id, unique in the hub, for example {@code groq}. */
    String PROVIDER_ID = "provider.id";
    /** Service property (String): the display name, for example {@code My AI Service}. */
    String PROVIDER_NAME = "provider.name";
    /** Service property (String): the wire protocol: {@code openai}, {@code azure}, {@code anthropic}, … */
    String PROVIDER_PROTOCOL = "provider.protocol";
    /** Service property (String[]): the ids of the models the provider offers. */
    String PROVIDER_MODELS = "provider.models";
    /** Service property (String): the preset id the provider was made from; absent for custom providers. */
    String PROVIDER_PRESET = "provider.preset";

    /** @return what this provider is, for listings; never a key */
    ProviderInfo info();

    /** @return the models this provider offers, with their metadata, in the configured order */
    List<ModelInfo> models();

    /**
     * Sends a chat and waits for the whole answer.
     *
     * @param request the request; its model is this provider's own model id
     * @return the answer
     * @throws ProviderException when the request could not be sent or the answer is unusable
     */
    ChatResponse chat(ChatRequest request) throws ProviderException;

    /**
     * Sends a chat and streams the answer to the listener as it arrives. Returns at once; failures, including those
     * before the first byte, reach the listener's {@link ChatStreamListener#onError}.
     *
     * @param request  the request; its model is this provider's own model id
     * @param listener receives the chunks and the end
     * @return a handle to cancel the stream
     */
    StreamHandle stream(ChatRequest request, ChatStreamListener listener);

    /**
     * Sends a chat for a whole (not streamed) answer without holding the caller's thread while the upstream works:
     * the listener is told {@link ChatStreamListener#onComplete} or {@link ChatStreamListener#onError} once, never
     * {@code onChunk}, and the handle cancels the upstream call (a caller whose client left). Providers that can
     * send asynchronously override it; this default waits for {@link #chat(ChatRequest)} on the calling thread, so
     * its handle can cancel nothing.
     *
     * @param request  the request; its model is this provider's own model id
     * @param listener receives the answer or the failure
     * @return a handle to cancel the call
     * @since 2.3
     */
    default StreamHandle chatAsync(ChatRequest request, ChatStreamListener listener) {
        return WholeAnswer.tell(listener, () -> chat(request));
    }

    /**
     * Asks the provider which models it serves ({@code GET /models} for OpenAI-compatible providers).
     *
     * @return the remote models, with what metadata the provider reports
     * @throws ProviderException when the list could not be fetched or read
     */
    List<ModelInfo> listRemoteModels() throws ProviderException;
}
