package dev.moryflow.gateway.internal;

import dev.moryflow.provider.ChatRequest;

/** A client's chat completion request: the chat itself and how the client wants the answer. */
final class ParsedRequest {

    final ChatRequest chat;
    final boolean stream;
    final boolean includeUsage;

    ParsedRequest(ChatRequest chat, boolean stream, boolean includeUsage) {
        this.chat = chat;
        this.stream = stream;
        this.includeUsage = includeUsage;
    }
}
