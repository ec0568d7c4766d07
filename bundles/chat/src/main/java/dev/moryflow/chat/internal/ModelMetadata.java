package dev.moryflow.chat.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import dev.moryflow.provider.ModelInfo;
import dev.moryflow.provider.PresetCatalog;

/**
 * Everything known about models beyond their ids, merged in one order: a {@code moryflow.model} configuration
 * (field by field) over what the provider itself reports over the preset catalog. A configuration for a model its
 * provider does not list adds that model to the provider. Immutable snapshot.
 */
final class ModelMetadata {

    static final ModelMetadata NONE = new ModelMetadata(null, List.of());

    private final PresetCatalog catalog;
    private final Map<String, Map<String, ModelConfig>> configs;

    /**
     * @param catalog the preset catalog, or null when none is installed
     * @param configs the model configurations; for one provider and model the first wins
     */
    ModelMetadata(PresetCatalog catalog, Collection<ModelConfig> configs) {
        this.catalog = catalog;
        Map<String, Map<String, ModelConfig>> byProvider = new HashMap<>();
        for (ModelConfig c : configs) {
            byProvider.computeIfAbsent(c.provider, k -> new TreeMap<>()).putIfAbsent(c.id, c);
        }
        this.configs = byProvider;
    }

    /** The models of one provider, and which of them are described beyond their id. */
    static final class Described {
        final List<ModelInfo> models;
        final Map<String, Boolean> described;

        Described(List<ModelInfo> models, Map<String, Boolean> described) {
            this.models = List.copyOf(models);
            this.described = Map.copyOf(described);
        }
    }

    /**
     * @param providerId the provider id
     * @param preset     the preset the provider was made from, or null
     * @param own        the models the provider reports
     * @return the provider's models with their merged metadata, own models first, then models only configured
     */
    Described describe(String providerId, String preset, List<ModelInfo> own) {
        Map<String, ModelConfig> mine = configs.getOrDefault(providerId, Map.of());
        List<ModelInfo> out = new ArrayList<>();
        Map<String, Boolean> described = new LinkedHashMap<>();
        for (ModelInfo m : own) {
            ModelInfo known = merge(m, catalogModel(preset, m.id()));
            ModelConfig c = mine.get(m.id());
            ModelInfo result = c == null ? known : c.over(known);
            out.add(result);
            described.put(m.id(), c != null || !result.equals(ModelInfo.of(m.id())));
        }
        for (ModelConfig c : mine.values()) {
            if (!described.containsKey(c.id)) {
                out.add(c.over(catalogModel(preset, c.id).orElse(null)));
                described.put(c.id, true);
            }
        }
        return new Described(out, described);
    }

    private Optional<ModelInfo> catalogModel(String preset, String modelId) {
        return catalog == null ? Optional.empty() : catalog.model(preset, modelId);
    }

    /** Fields the provider reports win; the catalog fills the rest. */
    private static ModelInfo merge(ModelInfo own, Optional<ModelInfo> fromCatalog) {
        if (fromCatalog.isEmpty()) {
            return own;
        }
        ModelInfo cat = fromCatalog.get();
        ModelInfo bare = ModelInfo.of(own.id());
        return new ModelInfo(own.id(),
                own.displayName().equals(own.id()) ? cat.displayName() : own.displayName(),
                own.contextWindow() != ModelInfo.UNKNOWN ? own.contextWindow() : cat.contextWindow(),
                own.maxOutputTokens() != ModelInfo.UNKNOWN ? own.maxOutputTokens() : cat.maxOutputTokens(),
                own.capabilities().equals(bare.capabilities()) ? cat.capabilities() : own.capabilities());
    }
}
