/**
 * The hub's one outbound HTTP client and what every protocol bundle needs around it.
 * <ul>
 * <li>{@link dev.moryflow.http.HttpClients}: the shared OkHttp client (one connection pool, one dispatcher, the
 * proxy and timeouts of the {@code moryflow.http} configuration), and derived clients with a provider's own
 * timeout and {@link dev.moryflow.http.ConnectionSettings} (extra CA certificates, a client certificate, its own
 * proxy) that share that pool.</li>
 * <li>{@link dev.moryflow.http.SseReader}: reads a Server-Sent Events stream event by event, without buffering the
 * whole stream.</li>
 * <li>{@link dev.moryflow.http.Problems}: turns transport failures and upstream error answers into a
 * {@link dev.moryflow.provider.ProviderException} whose message says what happened and whose hint says what to do,
 * with any secret removed from upstream text.</li>
 * <li>{@link dev.moryflow.http.JsonSplice} (1.2): exact byte edits of a JSON object's top-level values (the
 * {@code model} of a body passed through, {@code stream_options.include_usage}), without re-serializing it.</li>
 * <li>1.3: what every provider bundle does the same way: {@link dev.moryflow.http.ConfigValues} (a provider
 * configuration's values, read leniently and refused with the property named), {@link dev.moryflow.http.ProviderKeys}
 * (a provider's key from the credential store or its environment variable, bound to the base URL's origin) and
 * {@link dev.moryflow.http.ListenerCall} (one chat call and the stream listener's contract).</li>
 * </ul>
 * The package exposes OkHttp ({@code okhttp3}) and Okio ({@code okio}) types: protocol bundles build their
 * requests with them.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.5.0")
package dev.moryflow.http;
