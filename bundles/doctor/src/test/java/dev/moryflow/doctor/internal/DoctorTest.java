package dev.moryflow.doctor.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.Test;

import dev.moryflow.credentials.CredentialMetadata;
import dev.moryflow.credentials.CredentialStore;
import dev.moryflow.http.HttpClients;
import dev.moryflow.provider.Diagnosis;
import dev.moryflow.provider.DiagnosisStep;
import dev.moryflow.provider.DiagnosisStep.Outcome;
import okhttp3.OkHttpClient;

/** The steps that need no provider service: configuration, Base URL shape and security. */
public class DoctorTest {

    private static final class Store implements CredentialStore {
        final CredentialMetadata meta;

        Store(CredentialMetadata meta) {
            this.meta = meta;
        }

        @Override
        public CredentialMetadata store(String id, char[] secret) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CredentialMetadata rotate(String id, char[] secret) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean delete(String id) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<char[]> read(String id, String origin) {
            throw new AssertionError("the doctor must never read a key");
        }

        @Override
        public CredentialMetadata confirmMove(String id) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void admitExternal(String id, String origin) {
            throw new AssertionError("the doctor must never send a key");
        }

        @Override
        public Optional<CredentialMetadata> externalBinding(String id) {
            return Optional.empty();
        }

        @Override
        public boolean verify(String id, char[] candidate) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<CredentialMetadata> metadata(String id) {
            return Optional.ofNullable(meta);
        }

        @Override
        public List<CredentialMetadata> list() {
            return meta == null ? List.of() : List.of(meta);
        }
    }

    private static final HttpClients NO_HTTP = new HttpClients() {
        @Override
        public OkHttpClient client() {
            throw new AssertionError("no network call expected");
        }

        @Override
        public OkHttpClient client(Duration readTimeout) {
            throw new AssertionError("no network call expected");
        }

        @Override
        public OkHttpClient client(Duration readTimeout, dev.moryflow.http.ConnectionSettings settings) {
            throw new AssertionError("no network call expected");
        }
    };

    private static Diagnosis run(Map<String, Object> config, CredentialMetadata meta, int rotationDays) {
        return new Doctor(NO_HTTP, new Store(meta)).run(new Doctor.Target("p", config, null, rotationDays), null);
    }

    @Test
    public void oldKeyAndPlainHttpAreSecurityWarnings() {
        CredentialMetadata old = new CredentialMetadata("p", Instant.now().minus(Duration.ofDays(120)), null, "ab12",
                null);
        Diagnosis d = run(Map.of("baseUrl", "http://llm.example.com/v1"), old, 90);
        DiagnosisStep s = d.step(DiagnosisStep.SECURITY).orElseThrow();
        assertEquals(Outcome.WARNING, s.outcome());
        assertTrue(s.cause(), s.cause().contains("plain HTTP to the remote host llm.example.com"));
        assertTrue(s.cause(), s.cause().contains("the key is 120 days old (rotation warning after 90 days"));
        assertTrue(s.fix(), s.fix().contains("Use https://") && s.fix().contains("Rotate it"));
        // the provider did not start: named on the Configuration step
        assertEquals(Outcome.FAILED, d.step(DiagnosisStep.CONFIGURATION).orElseThrow().outcome());
    }

    @Test
    public void youngKeyOverHttpsPasses() {
        CredentialMetadata young = new CredentialMetadata("p", Instant.now().minus(Duration.ofDays(3)), null, "ab12",
                null);
        DiagnosisStep s = run(Map.of("baseUrl", "https://api.example.com/v1"), young, 90)
                .step(DiagnosisStep.SECURITY).orElseThrow();
        assertEquals(Outcome.PASSED, s.outcome());
        assertTrue(s.detail(), s.detail().contains("encrypted (https)") && s.detail().contains("key 3 days old"));
    }

    @Test
    public void disabledAndMissingProviders() {
        Diagnosis disabled = run(Map.of("baseUrl", "https://api.example.com/v1", "enabled", "false"), null, 90);
        DiagnosisStep c = disabled.step(DiagnosisStep.CONFIGURATION).orElseThrow();
        assertTrue(c.cause(), c.cause().contains("disabled"));
        assertFalse(disabled.ok());
        Diagnosis missing = new Doctor(NO_HTTP, new Store(null)).run(new Doctor.Target("ghost", null, null, 90), null);
        assertTrue(missing.firstFailure().orElseThrow().cause().contains("no provider with the id ghost"));
        assertEquals(Outcome.SKIPPED, missing.step(DiagnosisStep.CONNECTION).orElseThrow().outcome());
    }

    @Test
    public void badBaseUrlStopsBeforeTheNetwork() {
        Diagnosis d = run(Map.of("baseUrl", "https://api.example.com/v1/chat/completions"), null, 90);
        DiagnosisStep b = d.step(DiagnosisStep.BASE_URL).orElseThrow();
        assertEquals(Outcome.FAILED, b.outcome());
        assertEquals(Outcome.SKIPPED, d.step(DiagnosisStep.CONNECTION).orElseThrow().outcome());
    }
}
