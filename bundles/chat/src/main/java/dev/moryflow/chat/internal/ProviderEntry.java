package dev.moryflow.chat.internal;

import java.util.List;
import java.util.Objects;

import dev.moryflow.provider.ModelInfo;
import dev.moryflow.provider.ProviderService;

/**
 * One tracked provider service as routing sees it: its id, name, ranking and models at the time it was bound or last
 * modified. Immutable.
 */
final class ProviderEntry {

    final long serviceId;
    final String id;
    final String name;
    final String protocol;
    final String preset;
    final int ranking;
    final List<ModelInfo> models;
    final ProviderService service;
    /** The PID of the configuration the provider was made from, or null. */
    final String pid;

    ProviderEntry(long serviceId, String id, String name, String protocol, String preset, int ranking,
            List<ModelInfo> models, ProviderService service) {
        this(serviceId, id, name, protocol, preset, ranking, models, service, null);
    }

    ProviderEntry(long serviceId, String id, String name, String protocol, String preset, int ranking,
            List<ModelInfo> models, ProviderService service, String pid) {
        this.serviceId = serviceId;
        this.id = Objects.requireNonNull(id);
        this.name = name == null || name.isBlank() ? id : name;
        this.protocol = protocol == null ? "unknown" : protocol;
        this.preset = preset;
        this.ranking = ranking;
        this.models = List.copyOf(models);
        this.service = service;
        this.pid = pid;
    }

    /** Higher ranking first, then the older service (lower service id), as the framework orders services. */
    boolean outranks(ProviderEntry other) {
        return ranking != other.ranking ? ranking > other.ranking : serviceId < other.serviceId;
    }

    /** Whether what routing and listeners see of the provider differs (service object identity aside). */
    boolean sameAs(ProviderEntry other) {
        return other != null && id.equals(other.id) && name.equals(other.name) && protocol.equals(other.protocol)
                && Objects.equals(preset, other.preset) && ranking == other.ranking && models.equals(other.models);
    }

    @Override
    public String toString() {
        return id + "#" + serviceId;
    }
}
