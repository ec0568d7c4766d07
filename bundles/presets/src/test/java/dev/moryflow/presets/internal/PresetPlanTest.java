package dev.moryflow.presets.internal;

import static org.junit.Assert.assertEquals;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.Test;

import dev.moryflow.provider.Preset;

public class PresetPlanTest {

    private static Preset preset(String id) {
        return new Preset(id, id, "https://" + id + ".example/v1", null, null, "X_API_KEY", true, false, null, null,
                List.of());
    }

    private static final List<Preset> CATALOG = List.of(preset("groq"), preset("openai"), preset("xai"));

    private static List<String> ids(PresetPlan plan) {
        return plan.toCreate().stream().map(Preset::id).collect(Collectors.toList());
    }

    @Test
    public void aFreshHubGetsEveryPreset() {
        PresetPlan plan = PresetPlan.of(CATALOG, Set.of(), Set.of());
        assertEquals(List.of("groq", "openai", "xai"), ids(plan));
        assertEquals(Set.of("groq", "openai", "xai"), plan.made());
    }

    @Test
    public void aPresetTheUserDeletedIsNotMadeAgain() {
        PresetPlan plan = PresetPlan.of(CATALOG, Set.of("groq", "openai", "xai"), Set.of("openai"));
        assertEquals(List.of(), ids(plan));
    }

    @Test
    public void aProviderTheUserAlreadyHasUnderThePresetIdIsAdoptedNotOverwritten() {
        PresetPlan plan = PresetPlan.of(CATALOG, Set.of(), Set.of("groq", "my-service"));
        assertEquals(List.of("openai", "xai"), ids(plan));
        assertEquals(Set.of("groq", "openai", "xai"), plan.made());
    }

    @Test
    public void aPresetNewInTheCatalogIsMadeOnTheNextStart() {
        PresetPlan plan = PresetPlan.of(CATALOG, Set.of("groq", "openai"), Set.of("groq"));
        assertEquals(List.of("xai"), ids(plan));
    }
}
