package dev.moryflow.gateway.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardContextSelect;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import dev.moryflow.chat.ChatService;
import dev.moryflow.chat.RoutedModel;
import dev.moryflow.credentials.CredentialMetadata;
import dev.moryflow.credentials.CredentialStore;
import dev.moryflow.http.JsonValues;
import dev.moryflow.provider.Capability;
import dev.moryflow.provider.Diagnosis;
import dev.moryflow.provider.DiagnosisStep;
import dev.moryflow.provider.ProviderDoctor;
import dev.moryflow.provider.ProviderIds;
import dev.moryflow.provider.ProviderInfo;
import dev.moryflow.provider.ProviderException;
import dev.moryflow.provider.ProviderService;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The management API at {@code /api}: providers (list with status; create, update and delete, which write Config
 * Admin configurations and nothing else), models, a write-only key route and "test it". Keys go to the credential
 * store and are never returned.
 */
@Component(service = Servlet.class, configurationPid = GatewayConfig.PID)
@HttpWhiteboardServletPattern("/*")
@HttpWhiteboardServletName("moryflow-management-api")
@HttpWhiteboardContextSelect("(osgi.http.whiteboard.context.name=" + ApiContext.NAME + ")")
public class ApiServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final String FACTORY = "moryflow.provider.openai";
    private static final int MAX_BODY = 64 * 1024;
    /** Properties a client may set on a provider configuration, with their types. */
    private static final Map<String, Class<?>> SETTABLE = Map.ofEntries(Map.entry("name", String.class),
            Map.entry("baseUrl", String.class), Map.entry("apiKeyEnv", String.class),
            Map.entry("models", String[].class), Map.entry("dialect", String.class),
            Map.entry("apiVersion", String.class), Map.entry("headers", String[].class),
            Map.entry("timeoutSeconds", Integer.class), Map.entry("enabled", Boolean.class),
            Map.entry("allowInsecure", Boolean.class), Map.entry("service.ranking", Integer.class));

    private final transient Logger logger = LoggerFactory.getLogger(ApiServlet.class);
    private final transient ConfigurationAdmin configAdmin;
    private final transient ChatService chat;
    private final transient CredentialStore credentials;
    private final transient JsonFactory json = new JsonFactory();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile List<ProviderService> providers = List.of();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile ProviderDoctor doctor;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile dev.moryflow.chat.ModelListService modelLists;

    @Activate
    public ApiServlet(@Reference ConfigurationAdmin configAdmin, @Reference ChatService chat,
            @Reference CredentialStore credentials) {
        this.configAdmin = configAdmin;
        this.chat = chat;
        this.credentials = credentials;
    }

    /** A request the API refuses: status and message. */
    private static final class ApiError extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        ApiError(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String[] path = segments(req.getPathInfo());
        String method = req.getMethod();
        try {
            Object answer = route(method, path, req, resp);
            if (answer != null) {
                send(resp, resp.getStatus(), answer);
            } else {
                resp.setStatus(204);
            }
        } catch (ApiError e) {
            send(resp, e.status, Map.of("error", Map.of("message", e.getMessage(), "status", e.status)));
        }
    }

    private Object route(String method, String[] p, HttpServletRequest req, HttpServletResponse resp)
            throws ApiError, IOException {
        if (p.length == 1 && p[0].equals("providers")) {
            if (method.equals("GET")) {
                return providerList();
            }
            if (method.equals("POST")) {
                resp.setStatus(201);
                return create(body(req));
            }
        } else if (p.length == 2 && p[0].equals("providers")) {
            switch (method) {
                case "GET":
                    return providerList().stream().filter(m -> p[1].equals(m.get("id"))).findFirst()
                            .orElseThrow(() -> new ApiError(404, "no provider '" + p[1] + "'"));
                case "PUT":
                case "PATCH":
                    return update(p[1], body(req));
                case "DELETE":
                    delete(p[1]);
                    return null;
                default:
                    break;
            }
        } else if (p.length == 3 && p[0].equals("providers") && p[2].equals("key")) {
            if (method.equals("PUT")) {
                return storeKey(p[1], body(req));
            }
            if (method.equals("DELETE")) {
                if (!ProviderIds.isValid(p[1]) || !credentials.delete(p[1])) {
                    throw new ApiError(404, "no key is stored for provider '" + p[1] + "'");
                }
                return null;
            }
        } else if (p.length == 4 && p[0].equals("providers") && p[2].equals("key") && p[3].equals("confirm")
                && method.equals("POST")) {
            try {
                CredentialMetadata m = credentials.confirmMove(p[1]);
                return Map.of("id", m.id(), "fingerprint", m.fingerprint(), "origin", m.origin());
            } catch (IllegalArgumentException e) {
                throw new ApiError(409, e.getMessage());
            } catch (IllegalStateException e) {
                throw new ApiError(503, e.getMessage());
            }
        } else if (p.length == 3 && p[0].equals("providers") && p[2].equals("test") && method.equals("POST")) {
            return test(p[1], req.getParameter("model"));
        } else if (p.length == 3 && p[0].equals("providers") && p[2].equals("remote-models")
                && method.equals("GET")) {
            return remoteModels(p[1]);
        } else if (p.length == 3 && p[0].equals("providers") && p[2].equals("models") && method.equals("POST")) {
            return addModels(p[1], body(req));
        } else if (p.length == 1 && p[0].equals("routes") && method.equals("GET")) {
            return routes();
        } else if (p.length == 1 && p[0].equals("models") && method.equals("GET")) {
            return models();
        }
        throw new ApiError(404, "no route " + method + " /api/"
                + String.join("/", p) + ". Routes: GET|POST /api/providers, GET|PUT|DELETE /api/providers/{id}, "
                + "PUT|DELETE /api/providers/{id}/key, POST /api/providers/{id}/key/confirm, POST /api/providers/{id}/test, GET /api/providers/{id}/remote-models, "
                + "POST /api/providers/{id}/models, GET /api/models, GET /api/routes");
    }

    private List<Map<String, Object>> providerList() throws IOException {
        Map<String, Map<String, Object>> byId = new TreeMap<>();
        for (ProviderService s : providers) {
            ProviderInfo i = s.info();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", i.id());
            m.put("name", i.name());
            m.put("protocol", i.protocol());
            m.put("baseUrl", i.baseUrl());
            if (i.preset() != null) {
                m.put("preset", i.preset());
            }
            m.put("key", i.keyState().name().toLowerCase(java.util.Locale.ROOT));
            m.put("transport", i.transport().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
            String unavailable = i.unavailableReason();
            m.put("status", unavailable == null ? "ready" : unavailable.startsWith("needs key") ? "needs key"
                    : unavailable);
            if (i.keyState() == dev.moryflow.provider.KeyState.HELD) {
                m.put("hint", "Nothing is sent until you confirm the move (POST /api/providers/" + i.id()
                        + "/key/confirm, moryflow:key-confirm " + i.id() + ") or store the key again.");
            }
            List<String> models = new ArrayList<>();
            for (RoutedModel r : chat.models()) {
                if (r.providerId().equals(i.id())) {
                    models.add(r.model().id());
                }
            }
            m.put("models", models);
            dev.moryflow.chat.ProviderHealth h = chat.health(i.id());
            m.put("health", h.state());
            if (h.reason() != null) {
                m.put("healthReason", h.reason());
            }
            byId.put(i.id(), m);
        }
        java.util.Set<String> named = new java.util.HashSet<>(byId.keySet());
        for (Configuration c : configurations()) {
            if (ProviderIds.of(c.getPid()) != null) {
                named.add(ProviderIds.of(c.getPid()));
            }
        }
        for (Configuration c : configurations()) {
            Dictionary<String, Object> d = c.getProperties();
            String id = idOf(c);
            if (d == null || byId.containsKey(id)) {
                continue;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("name", d.get("name"));
            // never a user:password@ part, even one the credentials bundle has not removed yet
            m.put("baseUrl", d.get("baseUrl") == null ? null
                    : String.valueOf(d.get("baseUrl")).replaceFirst("^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@", "$1"));
            if (d.get("preset") != null) {
                m.put("preset", d.get("preset"));
            }
            boolean disabled = Boolean.FALSE.equals(d.get("enabled")) || "false".equals(d.get("enabled"));
            String refusal = ProviderIds.refusal(c.getPid(), c.getFactoryPid(),
                    d.get(ProviderIds.ID_PROPERTY) instanceof String ? (String) d.get(ProviderIds.ID_PROPERTY) : null,
                    named::contains);
            m.put("status", disabled ? "disabled" : "refused" + (refusal == null ? "" : ": " + refusal));
            if (!disabled) {
                m.put("hint", "The configuration was refused: the hub's log names the field and the fix. A key "
                        + "given with it was not stored for any provider.");
            }
            m.put("configuration", c.getPid());
            byId.put(id, m);
        }
        return new ArrayList<>(byId.values());
    }

    private List<Configuration> configurations() throws IOException {
        try {
            Configuration[] all = configAdmin.listConfigurations("(service.factoryPid="
                    + ProviderIds.FACTORY_PREFIX + "*)");
            return all == null ? List.of() : Arrays.asList(all);
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the provider id, or the PID of a configuration that has none (yet) */
    private static String idOf(Configuration c) {
        String id = ProviderIds.of(c.getPid());
        return id == null ? c.getPid() : id;
    }

    private Configuration find(String id) throws IOException {
        for (Configuration c : configurations()) {
            if (id.equals(idOf(c))) {
                return c;
            }
        }
        return null;
    }

    private Map<String, Object> create(Map<String, Object> body) throws ApiError, IOException {
        Object id = body.remove("id");
        if (id instanceof String && ProviderIds.isReserved((String) id)) {
            throw new ApiError(400, "'id' \"" + id + "\" is reserved: it names a secret of the hub itself, and "
                    + ProviderIds.RULE + "; choose another id, e.g. \"my-ai\"");
        }
        if (!(id instanceof String) || !ProviderIds.isValid((String) id)) {
            throw new ApiError(400, "'id' is required and must be valid: " + ProviderIds.RULE + ", e.g. \"my-ai\"");
        }
        if (find((String) id) != null) {
            throw new ApiError(409, "provider '" + id + "' exists already: change it with PUT /api/providers/" + id);
        }
        Object key = body.remove("apiKey");
        Hashtable<String, Object> props = properties(body, new Hashtable<>());
        if (!(props.get("baseUrl") instanceof String)) {
            throw new ApiError(400, "'baseUrl' is required: the API endpoint, usually ending with /v1");
        }
        if (key != null && !(key instanceof String && !((String) key).isBlank())) {
            throw new ApiError(400, "'apiKey' must be a non-empty string");
        }
        Configuration made = configAdmin.getFactoryConfiguration(FACTORY, (String) id, "?");
        made.update(props);
        if (key != null) {
            try {
                storeSecret((String) id, key);
            } catch (ApiError e) {
                made.delete();
                throw e;
            }
        }
        logger.info("Provider {} created through the management API", id);
        return Map.of("id", id, "configuration", FACTORY + "~" + id);
    }

    private Map<String, Object> update(String id, Map<String, Object> body) throws ApiError, IOException {
        Configuration c = find(id);
        if (c == null) {
            throw new ApiError(404, "no provider configuration '" + id + "': create it with POST /api/providers");
        }
        if (body.containsKey("id") && !id.equals(body.get("id"))) {
            throw new ApiError(400, "'id' cannot change: create a new provider and delete this one");
        }
        body.remove("id");
        Object key = body.remove("apiKey");
        Hashtable<String, Object> props = new Hashtable<>();
        Dictionary<String, Object> old = c.getProperties();
        for (java.util.Enumeration<String> e = old.keys(); e.hasMoreElements();) {
            String k = e.nextElement();
            props.put(k, old.get(k));
        }
        properties(body, props);
        c.updateIfDifferent(props);
        if (key != null) {
            storeSecret(id, key); // after the update: the key is bound to the origin of the new base URL
        }
        return Map.of("id", id, "configuration", c.getPid());
    }

    private void delete(String id) throws ApiError, IOException {
        Configuration c = find(id);
        if (c == null) {
            throw new ApiError(404, "no provider configuration '" + id + "'");
        }
        boolean hadKey = credentials.metadata(id).isPresent();
        c.delete();
        logger.info("Provider {} deleted through the management API{}", id, hadKey ? ", and its key with it" : "");
    }

    /** Checks and converts the settable properties of a request body into {@code props}. */
    private static Hashtable<String, Object> properties(Map<String, Object> body, Hashtable<String, Object> props)
            throws ApiError {
        for (Map.Entry<String, Object> e : body.entrySet()) {
            Class<?> type = SETTABLE.get(e.getKey());
            if (type == null) {
                throw new ApiError(400, "unknown property '" + e.getKey() + "'; allowed: " + new TreeMap<>(SETTABLE)
                        .keySet() + ", and apiKey (moved into the credential store)");
            }
            Object v = e.getValue();
            if (v == null) {
                props.remove(e.getKey());
            } else if (type == String[].class) {
                if (v instanceof String) {
                    props.put(e.getKey(), Arrays.stream(((String) v).split(",")).map(String::trim)
                            .filter(s -> !s.isEmpty()).toArray(String[]::new));
                } else if (v instanceof List && ((List<?>) v).stream().allMatch(s -> s instanceof String)) {
                    props.put(e.getKey(), ((List<?>) v).toArray(new String[0]));
                } else {
                    throw new ApiError(400, "'" + e.getKey() + "' must be an array of strings");
                }
            } else if (type == Integer.class) {
                if (!(v instanceof Number)) {
                    throw new ApiError(400, "'" + e.getKey() + "' must be a whole number");
                }
                props.put(e.getKey(), ((Number) v).intValue());
            } else if (!type.isInstance(v)) {
                throw new ApiError(400, "'" + e.getKey() + "' must be a " + type.getSimpleName().toLowerCase(
                        java.util.Locale.ROOT));
            } else {
                props.put(e.getKey(), v);
            }
        }
        return props;
    }

    private Map<String, Object> storeKey(String id, Map<String, Object> body) throws ApiError {
        if (!ProviderIds.isValid(id)) {
            throw new ApiError(400, "invalid provider id '" + id + "': " + ProviderIds.RULE);
        }
        CredentialMetadata m = storeSecret(id, body.get("apiKey"));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", m.id());
        out.put("fingerprint", m.fingerprint());
        out.put("created", m.created().toString());
        out.put("rotated", m.rotated() == null ? null : m.rotated().toString());
        out.put("origin", m.origin());
        return out;
    }

    private CredentialMetadata storeSecret(String id, Object key) throws ApiError {
        if (!(key instanceof String) || ((String) key).isBlank()) {
            throw new ApiError(400, "'apiKey' must be a non-empty string");
        }
        char[] secret = ((String) key).toCharArray();
        try {
            return credentials.store(id, secret);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ApiError(e instanceof IllegalStateException ? 503 : 400, e.getMessage());
        } finally {
            Arrays.fill(secret, '\0');
        }
    }

    private dev.moryflow.chat.ModelListService modelLists() throws ApiError {
        dev.moryflow.chat.ModelListService m = modelLists;
        if (m == null) {
            throw new ApiError(503, "the chat bundle (dev.moryflow.chat) is not running");
        }
        return m;
    }

    /** {@code GET /api/providers/{id}/remote-models}: what the provider serves, and what its list lacks. */
    private Object remoteModels(String id) throws ApiError {
        try {
            dev.moryflow.chat.RemoteModels r = modelLists().remoteModels(id);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("provider", r.providerId());
            List<String> remote = new ArrayList<>();
            r.remote().forEach(m -> remote.add(m.id()));
            out.put("remote", remote);
            out.put("configured", r.configured());
            out.put("missing", r.missing());
            out.put("gone", r.gone());
            return out;
        } catch (ProviderException e) {
            throw new ApiError(ErrorMapping.of(e).status, e.describe());
        }
    }

    /** {@code POST /api/providers/{id}/models} with {@code {"models": ["a", "b"]}}: adds them to its configuration. */
    private Object addModels(String id, Map<String, Object> body) throws ApiError {
        Object wanted = body.get("models");
        if (!(wanted instanceof List) || ((List<?>) wanted).isEmpty()
                || !((List<?>) wanted).stream().allMatch(o -> o instanceof String)) {
            throw new ApiError(400, "models must be a non-empty list of model IDs, for example "
                    + "{\"models\": [\"llama-3.3-70b-versatile\"]}");
        }
        List<String> ids = new ArrayList<>();
        ((List<?>) wanted).forEach(o -> ids.add((String) o));
        try {
            return Map.of("provider", id, "added", modelLists().addModels(id, ids));
        } catch (ProviderException e) {
            throw new ApiError(ErrorMapping.of(e).status, e.describe());
        }
    }

    private Object test(String id, String model) throws ApiError {
        ProviderDoctor d = doctor;
        if (d == null) {
            throw new ApiError(503, "the doctor bundle (dev.moryflow.doctor) is not running");
        }
        Diagnosis report = d.diagnose(id, model);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("provider", report.providerId());
        out.put("model", report.model());
        out.put("ok", report.ok());
        out.put("durationMs", report.durationMs());
        List<Map<String, Object>> steps = new ArrayList<>();
        for (DiagnosisStep s : report.steps()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", s.name());
            m.put("outcome", s.outcome().name().toLowerCase(java.util.Locale.ROOT));
            m.put("durationMs", s.durationMs());
            m.put("detail", s.detail());
            m.put("cause", s.cause());
            m.put("fix", s.fix());
            steps.add(m);
        }
        out.put("steps", steps);
        return out;
    }

    /** {@code GET /api/routes}: every {@code moryflow.route}, the refused ones with why. */
    private List<Map<String, Object>> routes() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (dev.moryflow.chat.RouteDefinition r : chat.routes()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("alias", r.alias());
            m.put("targets", r.targets());
            m.put("retryOn", new ArrayList<>(new java.util.TreeSet<>(r.retryOn())));
            m.put("maxRetryAfterSeconds", r.maxRetryAfterSeconds());
            m.put("configuration", r.configuration());
            m.put("status", r.routable() ? "routable" : "refused: " + r.refused());
            out.add(m);
        }
        return out;
    }

    private List<Map<String, Object>> models() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (RoutedModel r : chat.models()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", r.qualifiedName());
            m.put("provider", r.providerId());
            m.put("providerName", r.providerName());
            m.put("id", r.model().id());
            m.put("displayName", r.model().displayName());
            m.put("contextWindow", r.model().contextWindow());
            m.put("maxOutputTokens", r.model().maxOutputTokens());
            List<String> caps = new ArrayList<>();
            for (Capability c : r.model().capabilities()) {
                caps.add(c.tag());
            }
            m.put("capabilities", caps);
            out.add(m);
        }
        for (dev.moryflow.chat.OrphanedModel o : chat.orphanedModels()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", o.providerId() + "/" + o.modelId());
            m.put("provider", o.providerId());
            m.put("id", o.modelId());
            m.put("configuration", o.configuration());
            m.put("status", o.status());
            out.add(m);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> body(HttpServletRequest req) throws ApiError, IOException {
        byte[] bytes;
        try (InputStream in = req.getInputStream()) {
            bytes = in.readNBytes(MAX_BODY + 1);
        }
        if (bytes.length > MAX_BODY) {
            throw new ApiError(413, "the request body is larger than " + MAX_BODY / 1024 + " KiB");
        }
        Object v;
        try {
            v = JsonValues.parse(json, new String(bytes, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ApiError(400, "the request body is not valid JSON: " + e.getMessage());
        }
        if (!(v instanceof Map)) {
            throw new ApiError(400, "the request body must be a JSON object");
        }
        return new LinkedHashMap<>((Map<String, Object>) v);
    }

    private static String[] segments(String pathInfo) {
        if (pathInfo == null) {
            return new String[0];
        }
        return Arrays.stream(pathInfo.split("/")).filter(s -> !s.isEmpty()).toArray(String[]::new);
    }

    private void send(HttpServletResponse resp, int status, Object value) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = json.createGenerator(out)) {
            JsonValues.write(g, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] bytes = out.toByteArray();
        resp.setStatus(status);
        resp.setContentType("application/json");
        resp.setContentLength(bytes.length);
        resp.getOutputStream().write(bytes);
    }
}
