package dev.moryflow.presets.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonFactory;

import dev.moryflow.http.JsonValues;
import dev.moryflow.provider.Capability;
import dev.moryflow.provider.ModelInfo;
import dev.moryflow.provider.Preset;
import dev.moryflow.provider.PresetCatalog;
import dev.moryflow.provider.ProviderIds;

/**
 * The preset catalog read from its data file ({@code catalog/presets.json} in this bundle). Immutable. Reading is
 * strict: a preset or model the catalog cannot describe fully is a build-time fault, reported with its place in the
 * file, never skipped silently.
 */
final class Catalog implements PresetCatalog {

    /** Where the catalog lies in the bundle. */
    static final String RESOURCE = "/catalog/presets.json";

    private final Map<String, Preset> presets;
    private final Map<String, ModelInfo> byModelId;

    private Catalog(Map<String, Preset> presets) {
        this.presets = Collections.unmodifiableMap(presets);
        Map<String, ModelInfo> models = new HashMap<>();
        for (Preset p : presets.values()) {
            for (ModelInfo m : p.models()) {
                models.putIfAbsent(m.id(), m);
            }
        }
        this.byModelId = models;
    }

    /** @return the catalog shipped in this bundle */
    static Catalog shipped() {
        try (InputStream in = Catalog.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the preset catalog " + RESOURCE + " is missing from the bundle");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("the preset catalog " + RESOURCE + " cannot be read: " + e.getMessage(),
                    e);
        }
    }

    /**
     * @param json the catalog document
     * @return the catalog
     * @throws IllegalArgumentException naming the preset or model and the field at fault
     */
    static Catalog parse(String json) {
        Object root;
        try {
            root = JsonValues.parse(new JsonFactory(), json);
        } catch (IOException e) {
            throw new IllegalArgumentException("the preset catalog is not valid JSON: " + e.getMessage(), e);
        }
        Map<String, Preset> out = new TreeMap<>();
        for (Object o : list(map(root, "catalog"), "presets", "catalog")) {
            Map<String, Object> p = map(o, "a preset");
            String id = text(p, "id", "a preset", true);
            String where = "preset " + id;
            if (!ProviderIds.isValid(id) || out.containsKey(id)) {
                throw new IllegalArgumentException(where + ": the id is not a valid provider id or is used twice");
            }
            String baseUrl = text(p, "baseUrl", where, true);
            try {
                URI uri = new URI(baseUrl);
                if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                    throw new URISyntaxException(baseUrl, "not an http(s) URL with a host");
                }
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException(where + ": baseUrl " + baseUrl + " is not an http(s) URL", e);
            }
            String env = text(p, "apiKeyEnv", where, false);
            boolean keyRequired = bool(p, "keyRequired", env != null);
            List<ModelInfo> models = new ArrayList<>();
            for (Object mo : list(p, "models", where)) {
                models.add(model(map(mo, where + " model"), where));
            }
            out.put(id, new Preset(id, text(p, "name", where, true), baseUrl, text(p, "dialect", where, false),
                    text(p, "apiVersion", where, false), env, keyRequired, bool(p, "template", false),
                    text(p, "docs", where, false), text(p, "setup", where, false), models));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("the preset catalog lists no presets");
        }
        return new Catalog(new LinkedHashMap<>(out));
    }

    private static ModelInfo model(Map<String, Object> m, String where) {
        String id = text(m, "id", where + " model", true);
        String at = where + " model " + id;
        Set<Capability> caps = EnumSet.noneOf(Capability.class);
        for (Object t : list(m, "capabilities", at)) {
            caps.add(Capability.fromTag(String.valueOf(t)).orElseThrow(() -> new IllegalArgumentException(at
                    + ": capability \"" + t + "\" is unknown (known: " + Capability.knownTags() + ")")));
        }
        return new ModelInfo(id, text(m, "name", at, false), number(m, "contextWindow", at),
                number(m, "maxOutputTokens", at), caps);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o, String where) {
        if (!(o instanceof Map)) {
            throw new IllegalArgumentException(where + ": expected a JSON object");
        }
        return (Map<String, Object>) o;
    }

    private static List<?> list(Map<String, Object> m, String key, String where) {
        Object v = m.get(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List)) {
            throw new IllegalArgumentException(where + ": " + key + " must be a JSON array");
        }
        return (List<?>) v;
    }

    private static String text(Map<String, Object> m, String key, String where, boolean required) {
        Object v = m.get(key);
        if (v instanceof String && !((String) v).isBlank()) {
            return (String) v;
        }
        if (v == null && !required) {
            return null;
        }
        throw new IllegalArgumentException(where + ": " + key + " must be a non-empty string");
    }

    private static boolean bool(Map<String, Object> m, String key, boolean def) {
        Object v = m.get(key);
        return v instanceof Boolean ? (Boolean) v : def;
    }

    private static int number(Map<String, Object> m, String key, String where) {
        Object v = m.get(key);
        if (v == null) {
            return ModelInfo.UNKNOWN;
        }
        if (!(v instanceof Number) || ((Number) v).longValue() < 0 || ((Number) v).longValue() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(where + ": " + key + " must be a whole number of tokens");
        }
        return ((Number) v).intValue();
    }

    @Override
    public List<Preset> presets() {
        return List.copyOf(presets.values());
    }

    @Override
    public Optional<Preset> preset(String presetId) {
        return Optional.ofNullable(presetId == null ? null : presets.get(presetId));
    }

    @Override
    public Optional<ModelInfo> model(String presetId, String modelId) {
        if (modelId == null) {
            return Optional.empty();
        }
        Preset p = presetId == null ? null : presets.get(presetId);
        if (p != null) {
            for (ModelInfo m : p.models()) {
                if (m.id().equals(modelId)) {
                    return Optional.of(m);
                }
            }
        }
        return Optional.ofNullable(byModelId.get(modelId));
    }
}
