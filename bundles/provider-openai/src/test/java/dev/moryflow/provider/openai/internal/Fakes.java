package dev.moryflow.provider.openai.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.moryflow.credentials.CredentialAccessException;
import dev.moryflow.credentials.CredentialMetadata;
import dev.moryflow.credentials.CredentialStore;
import dev.moryflow.http.ConnectionSettings;
import dev.moryflow.http.HttpClients;
import dev.moryflow.provider.ChatChunk;
import dev.moryflow.provider.ChatResponse;
import dev.moryflow.provider.ChatStreamListener;
import dev.moryflow.provider.ProviderException;
import okhttp3.OkHttpClient;

/** Hand-made fakes of the services the provider uses. */
final class Fakes {

    private Fakes() {
    }

    /** A credential store holding secrets in memory; counts reads. */
    static final class Store implements CredentialStore {
        final Map<String, char[]> secrets = new HashMap<>();
        /** Provider id to the origin its key is bound to; none: unbound. */
        final Map<String, String> origins = new HashMap<>();
        /** The origins keys were asked for. */
        final List<String> askedFor = new ArrayList<>();
        final List<char[]> handedOut = new ArrayList<>();
        boolean refuse;

        Store with(String id, String secret) {
            secrets.put(id, secret.toCharArray());
            return this;
        }

        @Override
        public CredentialMetadata store(String id, char[] secret) {
            secrets.put(id, secret.clone());
            return metadata(id).orElseThrow();
        }

        @Override
        public CredentialMetadata rotate(String id, char[] secret) {
            return store(id, secret);
        }

        @Override
        public boolean delete(String id) {
            return secrets.remove(id) != null;
        }

        /** Provider id to the origin its environment key was first sent to. */
        final Map<String, String> external = new HashMap<>();

        @Override
        public CredentialMetadata confirmMove(String id) {
            throw new UnsupportedOperationException();
        }

        @Override
        public synchronized void admitExternal(String id, String origin) {
            if (refuse) {
                throw new CredentialAccessException("bundle may not send the key of " + id);
            }
            String bound = external.putIfAbsent(id, origin);
            if (bound != null && !bound.equals(origin)) {
                throw new dev.moryflow.credentials.KeyHeldException(id, bound, origin);
            }
        }

        @Override
        public Optional<CredentialMetadata> externalBinding(String id) {
            return external.containsKey(id) ? Optional.of(new CredentialMetadata(id, Instant.EPOCH, null, "fp",
                    null, null, external.get(id), null)) : Optional.empty();
        }

        @Override
        public synchronized Optional<char[]> read(String id, String origin) {
            if (refuse) {
                throw new CredentialAccessException("bundle may not read " + id);
            }
            askedFor.add(origin);
            String bound = origins.get(id);
            if (bound != null && !bound.equals(origin)) {
                throw new dev.moryflow.credentials.KeyHeldException(id, bound, origin);
            }
            char[] s = secrets.get(id);
            if (s == null) {
                return Optional.empty();
            }
            char[] copy = s.clone();
            handedOut.add(copy);
            return Optional.of(copy);
        }

        @Override
        public boolean verify(String id, char[] candidate) {
            return secrets.containsKey(id) && java.util.Arrays.equals(secrets.get(id), candidate);
        }

        @Override
        public Optional<CredentialMetadata> metadata(String id) {
            return secrets.containsKey(id)
                    ? Optional.of(new CredentialMetadata(id, Instant.EPOCH, null, "fp", null, null, origins.get(id),
                            null))
                    : Optional.empty();
        }

        @Override
        public List<CredentialMetadata> list() {
            return List.of();
        }
    }

    /** Plain OkHttp clients; records the timeouts asked for. */
    static final class Http implements HttpClients {
        final OkHttpClient base = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(20)).build();
        final List<Duration> asked = new CopyOnWriteArrayList<>();

        @Override
        public OkHttpClient client() {
            return base;
        }

        @Override
        public OkHttpClient client(Duration readTimeout) {
            asked.add(readTimeout == null ? Duration.ZERO : readTimeout);
            return readTimeout == null ? base : base.newBuilder().readTimeout(readTimeout).build();
        }

        final List<ConnectionSettings> settings = new CopyOnWriteArrayList<>();

        @Override
        public OkHttpClient client(Duration readTimeout, ConnectionSettings connection) {
            settings.add(connection == null ? ConnectionSettings.HUB : connection);
            return client(readTimeout);
        }
    }

    /** Records every listener call, with the thread it came on. */
    static class Listener implements ChatStreamListener {
        final List<ChatChunk> chunks = new CopyOnWriteArrayList<>();
        final List<String> calls = new CopyOnWriteArrayList<>();
        final CountDownLatch firstChunk = new CountDownLatch(1);
        final CountDownLatch end = new CountDownLatch(1);
        volatile ChatResponse response;
        volatile ProviderException error;
        volatile String thread;

        @Override
        public void onChunk(ChatChunk chunk) {
            thread = Thread.currentThread().getName();
            chunks.add(chunk);
            calls.add("chunk");
            firstChunk.countDown();
        }

        @Override
        public void onComplete(ChatResponse r) {
            thread = Thread.currentThread().getName();
            response = r;
            calls.add("complete");
            end.countDown();
        }

        @Override
        public void onError(ProviderException e) {
            thread = Thread.currentThread().getName();
            error = e;
            calls.add("error");
            end.countDown();
        }

        Listener awaitEnd() throws InterruptedException {
            if (!end.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("stream did not end; calls so far: " + calls);
            }
            return this;
        }

        String text() {
            StringBuilder sb = new StringBuilder();
            for (ChatChunk c : chunks) {
                sb.append(c.content());
            }
            return sb.toString();
        }
    }
}
