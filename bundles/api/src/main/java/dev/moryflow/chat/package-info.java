/**
 * Chat routing: the {@link dev.moryflow.chat.ChatService} that resolves a model name to the provider that serves it
 * and sends the chat there.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.3.0")
package dev.moryflow.chat;
