package dev.moryflow.chat.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import dev.moryflow.chat.RemoteModels;
import dev.moryflow.provider.ModelInfo;
import dev.moryflow.provider.Problem;
import dev.moryflow.provider.ProviderException;

/** The list arithmetic of {@link dev.moryflow.chat.ModelListService}: comparing and extending model lists. */
final class ModelLists {

    private ModelLists() {
    }

    /**
     * @param providerId the provider
     * @param remote     what the provider serves
     * @param configured the provider's configured model ids
     * @param routable   every model id routable to the provider now (configured and described by configuration)
     * @return the comparison
     */
    static RemoteModels compare(String providerId, List<ModelInfo> remote, Collection<String> configured,
            Collection<String> routable) {
        Set<String> remoteIds = remote.stream().map(ModelInfo::id).collect(Collectors.toCollection(LinkedHashSet::new));
        List<String> missing = remoteIds.stream().filter(id -> !routable.contains(id)).collect(Collectors.toList());
        List<String> gone = configured.stream().filter(id -> !remoteIds.contains(id)).collect(Collectors.toList());
        return new RemoteModels(providerId, remote, List.copyOf(configured), missing, gone);
    }

    /**
     * @param existing the configured ids
     * @param wanted   the ids to add
     * @return the ids to add that are not there yet, in the given order
     * @throws ProviderException {@code BAD_REQUEST} for a blank id or one a model list cannot hold
     */
    static List<String> toAdd(Collection<String> existing, Collection<String> wanted) throws ProviderException {
        Set<String> out = new LinkedHashSet<>();
        for (String raw : wanted) {
            String id = raw == null ? "" : raw.trim();
            if (id.isEmpty() || id.contains(",") || id.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                throw new ProviderException(Problem.BAD_REQUEST, "\"" + (raw == null ? "" : raw.strip())
                        + "\" is not a model ID a model list can hold",
                        "Give model IDs as the provider spells them (no commas or control characters); "
                                + "`moryflow:remote-models <provider>` lists them.");
            }
            if (!existing.contains(id)) {
                out.add(id);
            }
        }
        return new ArrayList<>(out);
    }

    /**
     * @param current the configuration's {@code models} value as stored (String, String[] or collection)
     * @param ids     all model ids, old and new
     * @return the new value in the shape of the old one: a {@code .cfg} file's comma list stays a comma list
     */
    static Object sameShape(Object current, List<String> ids) {
        if (current instanceof String) {
            return String.join(", ", ids);
        }
        return ids.toArray(new String[0]);
    }
}
