package dev.moryflow.presets.internal;

import java.util.List;
import java.util.Optional;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import dev.moryflow.provider.ModelInfo;
import dev.moryflow.provider.Preset;
import dev.moryflow.provider.PresetCatalog;

/** Offers the catalog shipped in this bundle as the hub's {@link PresetCatalog}. */
@Component(service = PresetCatalog.class)
public class CatalogComponent implements PresetCatalog {

    private final Catalog catalog;

    /** Reads the shipped catalog. */
    @Activate
    public CatalogComponent() {
        this.catalog = Catalog.shipped();
    }

    @Override
    public List<Preset> presets() {
        return catalog.presets();
    }

    @Override
    public Optional<Preset> preset(String presetId) {
        return catalog.preset(presetId);
    }

    @Override
    public Optional<ModelInfo> model(String presetId, String modelId) {
        return catalog.model(presetId, modelId);
    }
}
