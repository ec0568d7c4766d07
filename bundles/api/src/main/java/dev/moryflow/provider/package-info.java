/**
 * Providers: the {@link dev.moryflow.provider.ProviderService} every provider bundle registers, one per configured
 * provider, and the value types of a chat that cross bundle boundaries (requests, messages, answers, stream chunks,
 * model metadata, problems), and the {@link dev.moryflow.provider.PresetCatalog} of well-known services.
 * <p>
 * All value types are immutable and safe to share between threads. None of them ever holds an API key.
 * <p>
 * 2.1: {@link dev.moryflow.provider.UpstreamAnswer} and {@link dev.moryflow.provider.ProviderException#upstreamAnswer()}
 * (what an upstream answered when a call failed: status, error object, rate-limit headers, for a gateway to hand
 * on unchanged); {@link dev.moryflow.provider.ChatStreamListener#onProvider(String)} (a routed stream names its
 * provider before the first chunk).
 * <p>
 * 2.2: the OpenAI wire format passes through: {@link dev.moryflow.provider.ChatRequest#raw()} (and
 * {@code Builder.raw}) carry the client's body as sent, {@link dev.moryflow.provider.ChatResponse#raw()} the
 * upstream's whole JSON answer and {@link dev.moryflow.provider.ChatChunk#raw()} the upstream's SSE {@code data} of
 * one event; each with {@code hasRaw()}, and constructors taking it.
 * <p>
 * 2.3: {@link dev.moryflow.provider.ProviderService#chatAsync} (a whole answer without holding the caller's thread).
 * <p>
 * 2.4: the prompt's cache details in {@link dev.moryflow.provider.Usage} ({@code cachedPromptTokens},
 * {@code cacheCreationTokens}), so that a provider of another protocol (Anthropic) can report them for the gateway
 * to write as OpenAI's {@code prompt_tokens_details}.
 * <p>
 * 2.4 also: chats in flight when their provider goes: {@link dev.moryflow.provider.ProviderException#removed} (the
 * error that ends them) and {@link dev.moryflow.provider.WholeAnswer} (a whole answer waited for over the
 * asynchronous call, so that ending the call ends the wait).
 * <p>
 * 2.5: {@link dev.moryflow.provider.ChatStreamListener#onAttempts} (a chat of an alias names the targets it tried,
 * before its first chunk), and {@code onProvider} of such a chat comes once its serving target is known.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.5.0")
package dev.moryflow.provider;
