package dev.moryflow.provider;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The preset catalog: the well-known services the hub offers ready to use, and what is known about their models
 * (context window, maximum output, capabilities). The chat bundle reads model metadata from it; a
 * {@code moryflow.model} configuration overrides or extends what it says.
 */
@ProviderType
public interface PresetCatalog {

    /** @return every preset, ordered by id */
    List<Preset> presets();

    /**
     * @param presetId a preset id
     * @return the preset, or empty
     */
    Optional<Preset> preset(String presetId);

    /**
     * What the catalog knows of a model: first the model of that preset, then (for custom providers and
     * aggregators serving the same model ids) the model of that id in any preset.
     *
     * @param presetId the preset the provider was made from, or null for a custom provider
     * @param modelId  the model id as the provider spells it
     * @return the metadata, or empty when the catalog does not know the model
     */
    Optional<ModelInfo> model(String presetId, String modelId);
}
