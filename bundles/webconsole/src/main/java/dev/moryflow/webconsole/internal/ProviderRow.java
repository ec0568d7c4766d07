package dev.moryflow.webconsole.internal;

import java.util.List;

/**
 * One line of the Providers table: what the user reads and what they may do with it. Never a key.
 *
 * @param id            the provider id (for a configuration that has none yet: its PID)
 * @param name          the display name
 * @param baseUrl       the base URL, without a user name or password
 * @param preset        the preset it was made from, or null for a custom provider
 * @param hint          what to do next (a template's setup sentence), or null
 * @param status        the status in the user's words ({@code ready}, {@code needs key: …}, {@code refused: …}, …)
 * @param level         how the status reads: {@code ok}, {@code warn}, {@code error} or {@code off}
 * @param key           the key's state: fingerprint and age, or why there is none
 * @param models        the model ids
 * @param configuration the PID of its configuration, or null when it has none
 * @param file          the deploy file it was made from, or null
 * @param hasKey        whether a key is stored for it (Rotate key, Delete key)
 * @param held          whether its key is held (Confirm move)
 * @param modelEntries  how many {@code moryflow.model} configurations name it
 * @param health        its health ({@code healthy}, {@code degraded: <why>}), or null when not known (no chat bundle,
 *                      or no provider registered)
 */
record ProviderRow(String id, String name, String baseUrl, String preset, String hint, String status, String level,
        String key, List<String> models, String configuration, String file, boolean hasKey, boolean held,
        int modelEntries, String health) {

    /** A row whose health is not known. */
    ProviderRow(String id, String name, String baseUrl, String preset, String hint, String status, String level,
            String key, List<String> models, String configuration, String file, boolean hasKey, boolean held,
            int modelEntries) {
        this(id, name, baseUrl, preset, hint, status, level, key, models, configuration, file, hasKey, held,
                modelEntries, null);
    }

    /**
     * @param h the provider's health
     * @return this row with it
     */
    ProviderRow withHealth(dev.moryflow.chat.ProviderHealth h) {
        return new ProviderRow(id, name, baseUrl, preset, hint, status, level, key, models, configuration, file,
                hasKey, held, modelEntries, h.describe());
    }

    /** @return whether a key can be stored for it: a named configuration with a valid id */
    boolean keyable() {
        return configuration != null && dev.moryflow.provider.ProviderIds.isValid(id)
                && id.equals(dev.moryflow.provider.ProviderIds.of(configuration));
    }
}
