package dev.moryflow.presets.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.moryflow.provider.Preset;

/**
 * Decides which presets become configurations: those never made before whose provider id no configuration uses yet.
 * A preset made once is never made again, so a preset the user removed stays removed; a configuration the user
 * already has for a preset's id (or made from it) is adopted as it is, never overwritten.
 */
final class PresetPlan {

    private final List<Preset> toCreate;
    private final Set<String> made;

    private PresetPlan(List<Preset> toCreate, Set<String> made) {
        this.toCreate = List.copyOf(toCreate);
        this.made = Set.copyOf(made);
    }

    /**
     * @param catalog  the presets
     * @param made     ids of presets made (or adopted) before, from the {@code created} property
     * @param existing provider ids and preset ids of the {@code moryflow.provider.openai} configurations now
     * @return the plan
     */
    static PresetPlan of(Collection<Preset> catalog, Collection<String> made, Collection<String> existing) {
        List<Preset> create = new ArrayList<>();
        Set<String> after = new LinkedHashSet<>(made);
        for (Preset p : catalog) {
            if (after.contains(p.id())) {
                continue;
            }
            if (!existing.contains(p.id())) {
                create.add(p);
            }
            after.add(p.id());
        }
        return new PresetPlan(create, after);
    }

    /** @return the presets to make configurations of */
    List<Preset> toCreate() {
        return toCreate;
    }

    /** @return every preset id made or adopted so far, the new {@code created} value */
    Set<String> made() {
        return made;
    }
}
