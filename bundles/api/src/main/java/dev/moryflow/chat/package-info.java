/**
 * Chat routing: the {@link dev.moryflow.chat.ChatService} that resolves a model name to the provider that serves it
 * and sends the chat there.
 * <p>
 * 1.4: routes ({@link dev.moryflow.chat.RouteDefinition}, {@link dev.moryflow.chat.ChatService#routes()}) and
 * provider health ({@link dev.moryflow.chat.ProviderHealth}, {@link dev.moryflow.chat.ChatService#health}).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.4.0")
package dev.moryflow.chat;
