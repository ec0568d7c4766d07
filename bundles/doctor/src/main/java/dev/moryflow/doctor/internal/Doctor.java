package dev.moryflow.doctor.internal;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import dev.moryflow.credentials.CredentialMetadata;
import dev.moryflow.credentials.CredentialStore;
import dev.moryflow.http.ConnectionSettings;
import dev.moryflow.http.HttpClients;
import dev.moryflow.http.Problems;
import dev.moryflow.http.SettingException;
import dev.moryflow.provider.ChatChunk;
import dev.moryflow.provider.ChatMessage;
import dev.moryflow.provider.ChatRequest;
import dev.moryflow.provider.ChatResponse;
import dev.moryflow.provider.ChatStreamListener;
import dev.moryflow.provider.Diagnosis;
import dev.moryflow.provider.DiagnosisStep;
import dev.moryflow.provider.DiagnosisStep.Outcome;
import dev.moryflow.provider.KeyState;
import dev.moryflow.provider.ModelInfo;
import dev.moryflow.provider.Problem;
import dev.moryflow.provider.Transport;
import dev.moryflow.provider.ProviderException;
import dev.moryflow.provider.ProviderInfo;
import dev.moryflow.provider.ProviderService;
import dev.moryflow.provider.StreamHandle;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Runs one diagnosis: the steps of {@link dev.moryflow.provider.ProviderDoctor} against a provider's configuration
 * and its {@link ProviderService}. Raw probes (is there an API at the Base URL, under /v1?) go out without any key
 * through the shared client; everything that needs the key goes through the provider service. Each step's slot is
 * filled by the first check that decides it; slots nobody decided are passed, or skipped after a failure.
 */
final class Doctor {

    /** The question of the test message: short, so any model answers it fast and cheaply. */
    static final String PROMPT = "Reply with the single word OK.";
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(20);
    private static final long STREAM_WAIT_SECONDS = 300;
    private static final int SHOW = 200;

    /** The steps in report order. */
    private enum Slot {
        CONFIGURATION(DiagnosisStep.CONFIGURATION), BASE_URL(DiagnosisStep.BASE_URL),
        CONNECTION(DiagnosisStep.CONNECTION), KEY(DiagnosisStep.KEY), MODEL(DiagnosisStep.MODEL),
        RESPONSE_FORMAT(DiagnosisStep.RESPONSE_FORMAT), TEST_MESSAGE(DiagnosisStep.TEST_MESSAGE),
        SECURITY(DiagnosisStep.SECURITY);

        final String title;

        Slot(String title) {
            this.title = title;
        }
    }

    private final HttpClients http;
    private final CredentialStore store;

    Doctor(HttpClients http, CredentialStore store) {
        this.http = http;
        this.store = store;
    }

    /** What the doctor knows about the provider before it starts. */
    static final class Target {
        final String id;
        /** the provider's configuration properties (of any provider factory), or null when it has none */
        final Map<String, Object> config;
        /** the registered service, or null when there is none */
        final ProviderService service;
        final int rotationWarningDays;

        Target(String id, Map<String, Object> config, ProviderService service, int rotationWarningDays) {
            this.id = id;
            this.config = config;
            this.service = service;
            this.rotationWarningDays = rotationWarningDays;
        }

        /** @return the factory PID of its configuration: {@code moryflow.provider.openai} unless it says otherwise */
        String factory() {
            String f = prop("service.factoryPid");
            return f == null ? DoctorComponent.OPENAI_FACTORY : f;
        }

        /** @return its deploy file's name, {@code <factory>-<id>.cfg} */
        String file() {
            return factory() + "-" + id + ".cfg";
        }

        /** @return whether it is an Anthropic provider (Messages API) */
        boolean anthropic() {
            return AnthropicChecks.FACTORY.equals(factory())
                    || service != null && "anthropic".equals(protocolOf(service));
        }

        String prop(String name) {
            if (config == null) {
                return null;
            }
            Object v = config.get(name);
            if (v instanceof String[]) {
                v = ((String[]) v).length == 0 ? null : ((String[]) v)[0];
            } else if (v instanceof Collection) {
                v = ((Collection<?>) v).isEmpty() ? null : ((Collection<?>) v).iterator().next();
            }
            String s = v == null ? null : v.toString().trim();
            return s == null || s.isEmpty() ? null : s;
        }
    }

    /** One diagnosis in progress. */
    private final class Run {
        final Target t;
        final Map<Slot, DiagnosisStep> slots = new EnumMap<>(Slot.class);
        final Map<Slot, Long> started = new EnumMap<>(Slot.class);
        String model;
        ProviderInfo info;
        HttpUrl url;
        boolean azure;
        boolean anthropic;
        boolean openaiShape;
        List<String> remote;
        String remoteNote;
        /** the provider's TLS and proxy settings, read from its configuration */
        ConnectionSettings connection = ConnectionSettings.HUB;

        Run(Target t) {
            this.t = t;
        }

        /** @return the request that lists the models, as the user would look it up */
        String modelList() {
            return anthropic ? "GET /v1/models" : "GET /models";
        }

        /** @return the provider's own timeout when it is shorter than the probe's */
        Duration probeTimeout() {
            try {
                String v = t.prop("timeoutSeconds");
                int seconds = v == null ? 0 : Integer.parseInt(v);
                if (seconds > 0 && seconds < PROBE_TIMEOUT.getSeconds()) {
                    return Duration.ofSeconds(seconds);
                }
            } catch (NumberFormatException e) {
                // the provider bundle reports a bad timeoutSeconds; probe with the default
            }
            return PROBE_TIMEOUT;
        }

        void pass(Slot s, long ms, String detail) {
            put(s, new DiagnosisStep(s.title, Outcome.PASSED, ms, detail, null, null, null));
        }

        void warn(Slot s, long ms, String detail, String cause, String fix) {
            put(s, new DiagnosisStep(s.title, Outcome.WARNING, ms, detail, cause, fix, null));
        }

        void fail(Slot s, long ms, String detail, String cause, String fix, Problem p) {
            put(s, new DiagnosisStep(s.title, Outcome.FAILED, ms, detail, cause, fix, p));
        }

        /** A failed or warned step is kept: the first decision about a step is the one reported. */
        void put(Slot s, DiagnosisStep step) {
            DiagnosisStep old = slots.get(s);
            if (old == null || old.outcome() == Outcome.PASSED && step.outcome() != Outcome.PASSED
                    || old.outcome() == Outcome.WARNING && step.outcome() == Outcome.FAILED) {
                slots.put(s, step);
            }
        }

        boolean failed(Slot s) {
            DiagnosisStep d = slots.get(s);
            return d != null && d.outcome() == Outcome.FAILED;
        }

        boolean anyFailed() {
            return slots.values().stream().anyMatch(d -> d.outcome() == Outcome.FAILED);
        }

        Diagnosis finish(long startNanos) {
            List<DiagnosisStep> out = new ArrayList<>();
            boolean failure = false;
            for (Slot s : Slot.values()) {
                DiagnosisStep d = slots.get(s);
                if (d == null) {
                    if (s == Slot.CONFIGURATION) {
                        continue;
                    }
                    d = new DiagnosisStep(s.title, Outcome.SKIPPED, 0,
                            failure ? "not checked: fix the failure above first" : "not checked", null, null, null);
                }
                failure |= d.outcome() == Outcome.FAILED;
                out.add(d);
            }
            return new Diagnosis(t.id, model, out, millisSince(startNanos));
        }
    }

    Diagnosis run(Target t, String requestedModel) {
        long start = System.nanoTime();
        Run r = new Run(t);
        r.model = requestedModel == null || requestedModel.isBlank() ? null : requestedModel.trim();

        if (!configuration(r)) {
            return r.finish(start);
        }
        if (!baseUrlShape(r)) {
            security(r);
            return r.finish(start);
        }
        if (t.service == null) {
            r.fail(Slot.CONFIGURATION, 0, null, "provider " + t.id + " is configured but not running: its "
                    + "configuration was refused", "Read the hub's log line for " + t.factory() + "~" + t.id
                            + ": it names the field to correct in deploy/" + t.file() + ".",
                    Problem.NOT_READY);
            security(r);
            return r.finish(start);
        }
        if (r.info != null && r.info.transport() == Transport.INSECURE_REFUSED) {
            r.fail(Slot.BASE_URL, 0, null, "plain http:// to another machine is refused: the key and your "
                    + "conversations would travel unencrypted, so provider " + t.id + " sends nothing",
                    "Use the https:// address of the service; only if the network is trusted (a server in your "
                            + "own lab), set allowInsecure = true in the provider's configuration.",
                    Problem.NOT_READY);
            security(r);
            return r.finish(start);
        }
        if (connection(r)) {
            key(r);
            if (!r.failed(Slot.KEY)) {
                model(r);
                if (r.model != null) {
                    testMessage(r);
                }
            }
        }
        security(r);
        return r.finish(start);
    }

    // --------------------------------------------------------------------------------------------- configuration

    private boolean configuration(Run r) {
        Target t = r.t;
        if (t.config == null && t.service == null) {
            r.fail(Slot.CONFIGURATION, 0, null, "no provider with the id " + t.id + " is configured",
                    "Add one: drop deploy/" + t.file() + " with baseUrl = "
                            + "https://api.example.com/v1 and apiKey = <your key>; moryflow:providers lists the "
                            + "configured providers.", Problem.NOT_READY);
            return false;
        }
        if (t.config != null && "false".equalsIgnoreCase(t.prop("enabled"))) {
            r.fail(Slot.CONFIGURATION, 0, null, "provider " + t.id + " is disabled (enabled = false)",
                    "Set enabled = true in deploy/" + t.file() + " (or in the Web "
                            + "Console's configuration form).", Problem.NOT_READY);
            return false;
        }
        if (t.config != null) {
            try {
                // the provider's own TLS and proxy settings: the probes go where its chats go, the same way
                r.connection = ConnectionSettings.from(t.config);
            } catch (SettingException e) {
                r.fail(Slot.CONFIGURATION, 0, null, e.getMessage(), "Correct " + e.property() + " in "
                        + "deploy/" + t.file() + " (or in the Web Console's configuration "
                        + "form); the provider is not offered until then.", Problem.NOT_READY);
                return false;
            }
        }
        if (t.service != null) {
            try {
                r.info = t.service.info();
            } catch (RuntimeException e) {
                r.info = null;
            }
        }
        return true;
    }

    // -------------------------------------------------------------------------------------------------- base url

    private boolean baseUrlShape(Run r) {
        long t0 = System.nanoTime();
        String raw = r.t.prop("baseUrl");
        if (raw == null && r.info != null) {
            raw = r.info.baseUrl();
        }
        String dialect = r.t.prop("dialect");
        r.azure = "azure".equalsIgnoreCase(dialect) || r.info != null && "azure".equals(r.info.protocol());
        r.anthropic = r.t.anthropic();
        r.openaiShape = r.info == null ? !r.azure && !r.anthropic : "openai".equals(r.info.protocol());
        if (r.anthropic) {
            raw = AnthropicChecks.baseUrl(raw);
        }
        Checks.UrlVerdict pasted = r.anthropic ? AnthropicChecks.endpointPasted(raw) : null;
        Checks.UrlVerdict v = pasted != null ? pasted : Checks.baseUrl(raw, r.azure, r.t.prop("apiVersion"));
        if (v.failed) {
            r.fail(Slot.BASE_URL, millisSince(t0), null, v.cause, v.fix, Problem.NOT_READY);
            return false;
        }
        r.url = v.url;
        if (v.warning()) {
            r.warn(Slot.BASE_URL, millisSince(t0), null, v.cause, v.fix);
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------------ connection

    /** A raw answer of an unauthenticated probe: status, content type and the start of the body. */
    private static final class Probe {
        final HttpUrl url;
        final int status;
        final String contentType;
        final String body;
        final okhttp3.Headers headers;

        Probe(HttpUrl url, Response response) throws IOException {
            this.url = url;
            this.status = response.code();
            this.contentType = response.header("Content-Type");
            this.body = response.peekBody(4096).string();
            this.headers = response.headers();
        }

        boolean html() {
            String ct = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
            String b = body.stripLeading().toLowerCase(Locale.ROOT);
            return ct.contains("html") || b.startsWith("<!doctype") || b.startsWith("<html");
        }

        boolean jsonBody() {
            String b = body.stripLeading();
            return b.startsWith("{") || b.startsWith("[");
        }

        String shown() {
            return "HTTP " + status + ", " + (contentType == null ? "no content type" : contentType)
                    + (body.isBlank() ? ", empty body" : ": " + Texts.shown(body, SHOW));
        }
    }

    private Probe probe(Run r, HttpUrl url) throws IOException {
        OkHttpClient client = http.client(r.probeTimeout(), r.connection);
        Request.Builder b = new Request.Builder().url(url).header("Accept", "application/json").get();
        if (r.anthropic) {
            b.header("anthropic-version", AnthropicChecks.version(r.t.prop("anthropicVersion")));
        }
        Request req = b.build();
        try (Response response = client.newCall(req).execute()) {
            return new Probe(url, response);
        }
    }

    private static HttpUrl child(HttpUrl base, String path) {
        HttpUrl.Builder b = base.newBuilder().query(null);
        List<String> seg = base.pathSegments();
        if (!seg.isEmpty() && seg.get(seg.size() - 1).isEmpty()) {
            b.removePathSegment(seg.size() - 1);
        }
        return b.addPathSegments(path).build();
    }

    private boolean connection(Run r) {
        HttpUrl probeUrl = r.azure ? r.url.newBuilder().query(null).build()
                : r.anthropic ? AnthropicChecks.modelsUrl(r.url) : child(r.url, "models");
        long t0 = System.nanoTime();
        Probe p;
        try {
            p = probe(r, probeUrl);
        } catch (IOException e) {
            ProviderException pe = Problems.transport(e, probeUrl,
                    http.client(r.probeTimeout(), r.connection).proxy());
            String fix = pe.hint();
            if (pe.problem() == Problem.CONNECTION_FAILED && pe.getMessage().startsWith("connection refused")
                    && Checks.isLoopback(r.url.host())) {
                fix = Checks.localServerFix(r.url.port(), r.info == null ? null : r.info.preset());
            }
            r.fail(Slot.CONNECTION, millisSince(t0), null, pe.getMessage(), fix, pe.problem());
            if (!r.failed(Slot.BASE_URL)) {
                r.pass(Slot.BASE_URL, 0, "the address is well formed; no answer to probe it further");
            }
            return false;
        }
        long ms = millisSince(t0);
        r.pass(Slot.CONNECTION, ms, "connected to " + Checks.origin(r.url) + ("https".equals(r.url.scheme())
                ? " (TLS certificate accepted)" : "") + "; GET " + probeUrl.encodedPath() + " answered HTTP "
                + p.status + " in " + ms + " ms");
        if (r.anthropic) {
            anthropicProbe(r, p);
        } else if (!r.azure && r.openaiShape) {
            baseUrlProbe(r, p);
        } else {
            r.pass(Slot.BASE_URL, 0, "the server answers at " + Checks.shownBase(r.url));
        }
        return true;
    }

    /** Is the Messages API at the Base URL? Without a key, its GET /v1/models answers 401 with Anthropic's error. */
    private void anthropicProbe(Run r, Probe p) {
        String base = Checks.shownBase(r.url);
        String seen = "GET " + p.url.encodedPath() + ": " + p.shown();
        if (AnthropicChecks.isTheApi(p.status, p.body)) {
            r.pass(Slot.BASE_URL, 0, "the Messages API answers at " + base + " (GET /v1/models without a key: HTTP "
                    + p.status + ")");
            if (p.status == 400 && p.body.toLowerCase(Locale.ROOT).contains("anthropic-version")) {
                versionRefused(r, 0, seen);
            }
            return;
        }
        if (p.status >= 300 && p.status < 400) {
            ProviderException e = Problems.httpStatus(p.status, p.headers, p.body, null, null);
            r.fail(Slot.BASE_URL, 0, seen, e.getMessage(), e.hint(), Problem.UPSTREAM_ERROR);
            return;
        }
        r.fail(Slot.BASE_URL, 0, seen, (p.html() ? "a web page (HTML) answered at " : "no Anthropic Messages API at ")
                + base + ": GET " + p.url.encodedPath() + " answered HTTP " + p.status,
                "Set baseUrl = " + AnthropicChecks.DEFAULT_BASE_URL + " (the default), or the address of the "
                        + "gateway that serves the Messages API; the hub adds /v1/messages itself.",
                p.html() ? Problem.RESPONSE_FORMAT : Problem.UPSTREAM_ERROR);
    }

    private void versionRefused(Run r, long ms, String seen) {
        r.fail(Slot.CONFIGURATION, ms, seen, "the Messages API does not accept anthropic-version "
                + AnthropicChecks.version(r.t.prop("anthropicVersion")),
                "Set anthropicVersion = " + AnthropicChecks.DEFAULT_VERSION + " (the default) in deploy/" + r.t.file()
                        + ", or a version Anthropic documents.", Problem.BAD_REQUEST);
    }

    /** Is the API at the Base URL? A web page or a 404 there is checked against the same address with /v1. */
    private void baseUrlProbe(Run r, Probe p) {
        long t0 = System.nanoTime();
        String base = Checks.shownBase(r.url);
        if (p.status >= 300 && p.status < 400) {
            ProviderException e = Problems.httpStatus(p.status, p.headers, p.body, null, null);
            r.fail(Slot.BASE_URL, millisSince(t0), "GET " + p.url.encodedPath() + ": " + p.shown(), e.getMessage(),
                    e.hint(), Problem.UPSTREAM_ERROR);
            return;
        }
        boolean notApi = p.html() || p.status == 404 || p.status == 405;
        if (!notApi) {
            if (p.jsonBody() && (p.contentType == null
                    || !p.contentType.toLowerCase(Locale.ROOT).contains("json"))) {
                r.warn(Slot.RESPONSE_FORMAT, 0, "GET " + p.url.encodedPath() + ": " + p.shown(),
                        "wrong content type: the server sends JSON labelled "
                                + (p.contentType == null ? "with no content type" : "\"" + p.contentType + "\""),
                        "OpenAI-compatible servers answer with Content-Type: application/json; strict clients may "
                                + "refuse this. Check the server's or proxy's configuration.");
            }
            r.pass(Slot.BASE_URL, millisSince(t0), "the API answers at " + base + " (GET /models: HTTP " + p.status
                    + ")");
            return;
        }
        if (!Checks.hasVersionSegment(r.url)) {
            HttpUrl withV1 = child(r.url, "v1/models");
            try {
                Probe v1 = probe(r, withV1);
                if (!v1.html() && v1.status != 404 && v1.status != 405 && v1.jsonBody()) {
                    r.fail(Slot.BASE_URL, millisSince(t0), "GET " + p.url.encodedPath() + ": " + p.shown()
                            + "; GET " + withV1.encodedPath() + ": HTTP " + v1.status,
                            "the Base URL is missing /v1: the server answers under " + base + "/v1, not at " + base,
                            "Set baseUrl = " + base + "/v1.", Problem.NOT_READY);
                    return;
                }
            } catch (IOException e) {
                // no answer under /v1 either: report what the Base URL itself said
            }
        }
        if (p.html()) {
            r.fail(Slot.BASE_URL, millisSince(t0), "GET " + p.url.encodedPath() + ": " + p.shown(),
                    "a web page (HTML) answered at " + base + ", not the API",
                    "Use the API address from the provider's documentation (it usually ends with /v1), not the "
                            + "address of its web site.", Problem.RESPONSE_FORMAT);
        } else {
            r.warn(Slot.BASE_URL, millisSince(t0), "GET " + p.url.encodedPath() + ": " + p.shown(),
                    "the server has no model list at " + base + "/models (HTTP " + p.status + ")",
                    "Check the Base URL against the provider's documentation (it usually ends with /v1); the "
                            + "test message below shows whether chat works there.");
        }
    }

    // ------------------------------------------------------------------------------------------------------- key

    private void key(Run r) {
        long t0 = System.nanoTime();
        KeyState state = r.info == null ? KeyState.PRESENT : r.info.keyState();
        if (state == KeyState.MISSING) {
            String env = r.t.prop("apiKeyEnv") == null && r.anthropic ? "ANTHROPIC_API_KEY" : r.t.prop("apiKeyEnv");
            r.fail(Slot.KEY, 0, null, "provider " + r.t.id + " needs an API key and has none"
                    + (env == null ? "" : " (the environment variable " + env + " named by apiKeyEnv is not set)"),
                    "Put apiKey = <your key> in deploy/" + r.t.file() + " (it is moved into "
                            + "the encrypted credential store at once), or set apiKeyEnv to an environment variable "
                            + "that holds it.", Problem.NOT_READY);
            return;
        }
        try {
            List<ModelInfo> list = r.t.service.listRemoteModels();
            List<String> ids = new ArrayList<>();
            for (ModelInfo m : list) {
                ids.add(m.id());
            }
            r.remote = ids;
            long ms = millisSince(t0);
            if (r.azure) {
                r.remoteNote = "Azure deployments have no model list";
            } else if (state == KeyState.NOT_REQUIRED) {
                r.pass(Slot.KEY, ms, "not needed: a local server (" + r.modelList() + " listed " + ids.size()
                        + " models)");
            } else {
                r.pass(Slot.KEY, ms, "accepted (" + r.modelList() + " listed " + ids.size() + " models in " + ms
                        + " ms)");
            }
        } catch (ProviderException e) {
            long ms = millisSince(t0);
            if (!keyFailure(r, e, ms, null)) {
                r.remoteNote = "the model list could not be read: " + e.getMessage();
                if (e.problem() == Problem.RESPONSE_FORMAT) {
                    r.fail(Slot.RESPONSE_FORMAT, ms, "GET /models", "the model list is not OpenAI-compatible: "
                            + e.getMessage(), e.hint(), e.problem());
                }
            }
        }
    }

    /** @return whether the failure was about the key (and was reported on the Key step) */
    private boolean keyFailure(Run r, ProviderException e, long ms, String model) {
        if (r.anthropic && AnthropicChecks.versionRefused(e)) {
            versionRefused(r, ms, e.getMessage());
            r.pass(Slot.KEY, 0, "not tested: the request was refused for its anthropic-version first");
            return true;
        }
        if (e.problem() == Problem.AUTHENTICATION) {
            r.fail(Slot.KEY, ms, null, "the key was rejected: " + e.getMessage(),
                    "Confirm the key belongs to this provider and is still valid (not revoked or rotated); create a "
                            + "new one in the provider's dashboard and store it (apiKey = <new key> in deploy/"
                            + r.t.file() + ").", e.problem());
            return true;
        }
        if (e.problem() == Problem.PERMISSION) {
            if (Checks.isRegional(e)) {
                r.fail(Slot.KEY, ms, null, "regional restriction: the provider does not serve your country or region: "
                        + e.getMessage(), "Use the provider from a region it supports (see its list of supported "
                                + "countries), or choose another provider for this model.", e.problem());
                return true;
            }
            if (model != null && Checks.isModelAccess(e, model)) {
                return false;
            }
            r.fail(Slot.KEY, ms, null, "forbidden: the key is valid but not allowed to do this: " + e.getMessage(),
                    "Check the key's permissions in the provider's dashboard (a restricted or project key needs "
                            + "access to models and chat), and that the account's billing is in order.", e.problem());
            return true;
        }
        if (e.problem() == Problem.NOT_READY && e.getMessage().contains("API key")) {
            r.fail(Slot.KEY, ms, null, e.getMessage(), e.hint(), e.problem());
            return true;
        }
        return false;
    }

    // ----------------------------------------------------------------------------------------------------- model

    private void model(Run r) {
        List<String> configured = new ArrayList<>();
        for (ModelInfo m : r.t.service.models()) {
            configured.add(m.id());
        }
        if (r.model == null) {
            r.model = !configured.isEmpty() ? configured.get(0)
                    : r.remote != null && !r.remote.isEmpty() ? r.remote.get(0) : null;
        }
        if (r.model == null) {
            r.fail(Slot.MODEL, 0, null, "there is no model to test: none is configured and the provider lists none",
                    "Set models = <model id> in deploy/" + r.t.file() + ", with the name "
                            + "of the model loaded or deployed on the server.", Problem.MODEL_NOT_FOUND);
            return;
        }
        if (r.remote == null || r.remote.isEmpty() || r.azure) {
            return; // decided by the test message
        }
        if (r.remote.contains(r.model)) {
            List<String> gone = new ArrayList<>();
            for (String c : configured) {
                if (!r.remote.contains(c)) {
                    gone.add(c);
                }
            }
            if (gone.isEmpty()) {
                r.pass(Slot.MODEL, 0, r.model + " is listed by the provider (" + r.remote.size() + " models)");
            } else {
                r.warn(Slot.MODEL, 0, r.model + " is listed by the provider", "configured models the server no "
                        + "longer lists: " + String.join(", ", gone), "Remove them from models in deploy/"
                                + r.t.file() + ", or replace them with current ids"
                                + suggestions(gone.get(0), r.remote) + ".");
            }
        }
        // not listed: the test message decides between "not found" and "works but unlisted"
    }

    private static String suggestions(String model, List<String> remote) {
        if (remote == null) {
            return "";
        }
        List<String> close = Checks.closest(model, remote, 3);
        return close.isEmpty() ? "" : " (did you mean " + String.join(", ", close) + "?)";
    }

    private void modelNotListed(Run r, boolean chatOk, ProviderException chatError) {
        if (r.remote == null || r.remote.isEmpty() || r.azure || r.remote.contains(r.model)) {
            return;
        }
        boolean configured = r.t.service.models().stream().anyMatch(m -> m.id().equals(r.model));
        String close = suggestions(r.model, r.remote);
        if (chatOk) {
            r.warn(Slot.MODEL, 0, null, "model " + r.model + " answered, but the provider's model list does not "
                    + "include it", "Check the model id against moryflow:models; the provider may retire it soon"
                            + close + ".");
            return;
        }
        String cause = configured ? "model " + r.model + " is configured, but the server no longer lists it"
                : "model " + r.model + " is not in the provider's model list";
        r.fail(Slot.MODEL, 0, chatError == null ? null : chatError.getMessage(), cause + close,
                configured ? "Remove it from models in deploy/" + r.t.file() + ", or replace it with a current id"
                        + close + "."
                        : "Use the exact model ID from the provider's list" + close + ".", Problem.MODEL_NOT_FOUND);
    }

    // ---------------------------------------------------------------------------------------------- test message

    private void testMessage(Run r) {
        ChatRequest request = ChatRequest.builder(r.model).message(ChatMessage.user(PROMPT)).maxTokens(16).build();
        long t0 = System.nanoTime();
        ChatResponse whole;
        try {
            whole = r.t.service.chat(request);
        } catch (ProviderException e) {
            chatFailure(r, e, millisSince(t0), false);
            return;
        } catch (RuntimeException e) {
            r.fail(Slot.TEST_MESSAGE, millisSince(t0), null, "the provider failed unexpectedly: "
                    + Texts.shown(e.toString(), SHOW), Problem.UPSTREAM_ERROR.defaultHint(), Problem.UPSTREAM_ERROR);
            return;
        }
        long wholeMs = millisSince(t0);
        modelNotListed(r, true, null);
        r.pass(Slot.KEY, 0, "accepted by the test message");
        r.pass(Slot.MODEL, 0, r.model + " answered" + (r.remoteNote == null ? "" : " (" + r.remoteNote + ")"));
        if (whole.content() == null || whole.content().isBlank()) {
            boolean tools = whole.toolCalls() != null && !whole.toolCalls().isEmpty();
            r.fail(Slot.RESPONSE_FORMAT, wholeMs, null, "the answer has no text: choices[0].message.content is "
                    + "missing or empty (finish_reason " + whole.finishReason() + (tools ? ", tool calls only" : "")
                    + (whole.reasoning() != null ? ", reasoning only: " + Texts.shown(whole.reasoning(), 80) : "")
                    + ")", "The provider may not be fully OpenAI compatible, or the model spent all of its tokens "
                            + "on reasoning: check the provider's documentation, or adjust request parameters "
                            + "(max_tokens).", Problem.RESPONSE_FORMAT);
            return;
        }

        StreamResult s = stream(r, request);
        if (s.error != null) {
            chatFailure(r, s.error, s.totalMs, true);
            return;
        }
        if (s.text.length() == 0) {
            r.fail(Slot.RESPONSE_FORMAT, s.totalMs, null, "the streamed answer carried no text (" + s.chunks
                    + " chunks without delta.content)", Problem.RESPONSE_FORMAT.defaultHint(),
                    Problem.RESPONSE_FORMAT);
            return;
        }
        r.pass(Slot.RESPONSE_FORMAT, 0, r.anthropic
                ? "whole answer: a Messages API message with text; streamed: " + s.chunks + " chunks from its "
                        + "events, ended with message_stop"
                : "whole answer: JSON with choices[0].message.content; streamed: " + s.chunks
                        + " data: chunks, ended properly");
        r.pass(Slot.TEST_MESSAGE, wholeMs + s.totalMs, "answered \"" + Texts.shown(whole.content(), 60) + "\" in "
                + wholeMs + " ms; streamed: first chunk after " + s.firstChunkMs + " ms, complete after "
                + s.totalMs + " ms");
    }

    private void chatFailure(Run r, ProviderException e, long ms, boolean streamed) {
        String how = streamed ? "streamed test message: " : "test message: ";
        if (keyFailure(r, e, ms, r.model)) {
            return;
        }
        if (r.anthropic && AnthropicChecks.maxTokensRefused(e)) {
            r.fail(Slot.TEST_MESSAGE, ms, null, how + "the Messages API refused max_tokens: " + e.getMessage(),
                    "The Messages API needs max_tokens on every request, within the model's output limit: set "
                            + "maxTokens in deploy/" + r.t.file() + " (the default 4096 fits every current model; it "
                            + "is sent when a request sets neither max_tokens nor max_completion_tokens), and check "
                            + "what your clients send.", e.problem());
            return;
        }
        switch (e.problem()) {
            case MODEL_NOT_FOUND:
                modelNotListed(r, false, e);
                r.fail(Slot.MODEL, ms, null, e.getMessage() + suggestions(r.model, r.remote),
                        "Use the exact model ID from the provider's list" + suggestions(r.model, r.remote)
                                + "; moryflow:models shows the configured ones.", e.problem());
                return;
            case PERMISSION:
                r.fail(Slot.MODEL, ms, null, "model " + r.model + " is not available to this account: "
                        + e.getMessage(), "Request access to the model or upgrade the plan in the provider's "
                                + "dashboard, or choose another model" + suggestions(r.model, r.remote) + ".",
                        e.problem());
                return;
            case RESPONSE_FORMAT:
                r.fail(Slot.RESPONSE_FORMAT, ms, null, how + e.getMessage(), e.hint(), e.problem());
                return;
            case UPSTREAM_ERROR:
                if (e.httpStatus() == 404 || e.httpStatus() == 405) {
                    r.fail(Slot.BASE_URL, ms, null, how + e.getMessage(), e.hint(), e.problem());
                    return;
                }
                break;
            case CONNECTION_FAILED:
            case TLS:
                r.fail(Slot.CONNECTION, ms, null, how + e.getMessage(), e.hint(), e.problem());
                return;
            default:
                break;
        }
        modelNotListed(r, false, e);
        r.fail(Slot.TEST_MESSAGE, ms, null, how + e.getMessage(), e.hint(), e.problem());
    }

    /** The outcome of the streamed test message. */
    private static final class StreamResult {
        ProviderException error;
        final StringBuilder text = new StringBuilder();
        int chunks;
        long firstChunkMs = -1;
        long totalMs;
    }

    private StreamResult stream(Run r, ChatRequest request) {
        StreamResult s = new StreamResult();
        CompletableFuture<ProviderException> done = new CompletableFuture<>();
        long t0 = System.nanoTime();
        AtomicLong first = new AtomicLong(-1);
        StreamHandle handle = r.t.service.stream(request, new ChatStreamListener() {
            @Override
            public void onChunk(ChatChunk chunk) {
                synchronized (s) {
                    s.chunks++;
                    if (chunk.content() != null && !chunk.content().isEmpty()) {
                        first.compareAndSet(-1, millisSince(t0));
                        s.text.append(chunk.content());
                    }
                }
            }

            @Override
            public void onComplete(ChatResponse response) {
                done.complete(null);
            }

            @Override
            public void onError(ProviderException error) {
                done.complete(error);
            }
        });
        try {
            s.error = done.get(STREAM_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            handle.cancel();
            s.error = new ProviderException(Problem.TIMEOUT, "the streamed answer did not end within "
                    + STREAM_WAIT_SECONDS + " s");
        } catch (InterruptedException e) {
            handle.cancel();
            Thread.currentThread().interrupt();
            s.error = new ProviderException(Problem.CANCELLED, "the diagnosis was interrupted");
        } catch (ExecutionException e) {
            s.error = new ProviderException(Problem.UPSTREAM_ERROR, "the stream failed: "
                    + Texts.shown(String.valueOf(e.getCause()), SHOW));
        }
        s.totalMs = millisSince(t0);
        synchronized (s) {
            s.firstChunkMs = first.get();
        }
        return s;
    }

    // -------------------------------------------------------------------------------------------------- security

    private void security(Run r) {
        HttpUrl url = r.url;
        if (url == null) {
            String raw = r.t.prop("baseUrl");
            url = raw == null ? null : HttpUrl.parse(raw.trim());
        }
        List<String> causes = new ArrayList<>();
        List<String> fixes = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        if (url != null) {
            boolean local = Checks.isLoopback(url.host());
            if ("http".equals(url.scheme()) && !local) {
                boolean allowed = r.info != null && r.info.transport() == Transport.INSECURE_ALLOWED;
                causes.add("plain HTTP to the remote host " + url.host() + ": the key and your conversations "
                        + (allowed ? "travel unencrypted (allowed by allowInsecure = true)" : "would travel unencrypted"));
                fixes.add("Use https:// in the Base URL; for a self-hosted service, put it behind TLS (a reverse "
                        + "proxy with a certificate).");
            } else {
                seen.add("https".equals(url.scheme()) ? "encrypted (https)" : "plain HTTP, but only to this machine");
            }
        }
        Optional<CredentialMetadata> meta = Optional.empty();
        try {
            meta = store.metadata(r.t.id);
        } catch (RuntimeException e) {
            // no metadata: nothing to say about the key's age
        }
        if (meta.isPresent()) {
            long age = meta.get().ageDays(Instant.now());
            if (r.t.rotationWarningDays > 0 && age >= r.t.rotationWarningDays) {
                causes.add("the key is " + age + " days old (rotation warning after " + r.t.rotationWarningDays
                        + " days; fingerprint " + meta.get().fingerprint() + ")");
                fixes.add("Rotate it: create a new key in the provider's dashboard, store it (apiKey = <new key> in "
                        + "deploy/" + r.t.file() + "), then revoke the old one.");
            } else {
                seen.add("key " + age + " days old");
            }
        }
        if (causes.isEmpty()) {
            r.pass(Slot.SECURITY, 0, seen.isEmpty() ? null : String.join("; ", seen));
        } else {
            r.warn(Slot.SECURITY, 0, seen.isEmpty() ? null : String.join("; ", seen), String.join("; ", causes),
                    String.join(" ", fixes));
        }
    }

    static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    /** @return the Configuration Admin properties as a map */
    private static String protocolOf(ProviderService service) {
        try {
            return service.info().protocol();
        } catch (RuntimeException e) {
            return null;
        }
    }

    static Map<String, Object> toMap(java.util.Dictionary<String, Object> d) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (d != null) {
            for (java.util.Enumeration<String> e = d.keys(); e.hasMoreElements();) {
                String k = e.nextElement();
                m.put(k, d.get(k));
            }
        }
        return m;
    }
}
