package dev.moryflow.provider;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Metadata of one model of one provider: the id used in API calls, the name shown to people, its limits and its
 * capabilities. Immutable.
 */
public final class ModelInfo {

    /** Value of {@link #contextWindow()} and {@link #maxOutputTokens()} when the limit is not known. */
    public static final int UNKNOWN = 0;

    private final String id;
    private final String displayName;
    private final int contextWindow;
    private final int maxOutputTokens;
    private final Set<Capability> capabilities;

    /**
     * @param id              the model id used in API calls, as the provider spells it; not blank
     * @param displayName     the name shown in interfaces; the id when null or blank
     * @param contextWindow   the maximum tokens of prompt and answer together, {@link #UNKNOWN} when not known
     * @param maxOutputTokens the maximum tokens of one answer, {@link #UNKNOWN} when not known
     * @param capabilities    what the model can do; empty is read as {@link Capability#CHAT} only
     */
    public ModelInfo(String id, String displayName, int contextWindow, int maxOutputTokens,
            Set<Capability> capabilities) {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("model id must not be blank");
        }
        if (contextWindow < 0 || maxOutputTokens < 0) {
            throw new IllegalArgumentException("model " + id + ": token limits must not be negative");
        }
        this.id = id;
        this.displayName = displayName == null || displayName.isBlank() ? id : displayName;
        this.contextWindow = contextWindow;
        this.maxOutputTokens = maxOutputTokens;
        EnumSet<Capability> caps = EnumSet.noneOf(Capability.class);
        if (capabilities != null) {
            caps.addAll(capabilities);
        }
        if (caps.isEmpty()) {
            caps.add(Capability.CHAT);
        }
        this.capabilities = Collections.unmodifiableSet(caps);
    }

    /**
     * A model known by its id alone: no limits, chat only.
     *
     * @param id the model id
     * @return the metadata
     */
    public static ModelInfo of(String id) {
        return new ModelInfo(id, null, UNKNOWN, UNKNOWN, null);
    }

    /** @return the model id used in API calls */
    public String id() {
        return id;
    }

    /** @return the name shown in interfaces (the id when none was given) */
    public String displayName() {
        return displayName;
    }

    /** @return the context window in tokens, or {@link #UNKNOWN} */
    public int contextWindow() {
        return contextWindow;
    }

    /** @return the maximum output tokens, or {@link #UNKNOWN} */
    public int maxOutputTokens() {
        return maxOutputTokens;
    }

    /** @return the capabilities, never empty, unmodifiable */
    public Set<Capability> capabilities() {
        return capabilities;
    }

    /**
     * @param capability a capability
     * @return whether the model has it
     */
    public boolean has(Capability capability) {
        return capabilities.contains(capability);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ModelInfo)) {
            return false;
        }
        ModelInfo m = (ModelInfo) o;
        return id.equals(m.id) && displayName.equals(m.displayName) && contextWindow == m.contextWindow
                && maxOutputTokens == m.maxOutputTokens && capabilities.equals(m.capabilities);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, displayName, contextWindow, maxOutputTokens, capabilities);
    }

    @Override
    public String toString() {
        return "ModelInfo[" + id + ", " + displayName + ", context=" + contextWindow + ", maxOutput="
                + maxOutputTokens + ", " + capabilities + "]";
    }
}
