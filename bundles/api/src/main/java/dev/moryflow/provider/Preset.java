package dev.moryflow.provider;

import java.util.List;
import java.util.Objects;

/**
 * One entry of the preset catalog: a well-known AI service with what a provider configuration needs to reach it
 * and the models it is known for. Immutable; never holds a key (only the name of the environment variable users
 * keep it in).
 */
public final class Preset {

    private final String id;
    private final String name;
    private final String baseUrl;
    private final String dialect;
    private final String apiVersion;
    private final String apiKeyEnv;
    private final boolean keyRequired;
    private final boolean template;
    private final String docsUrl;
    private final String setup;
    private final List<ModelInfo> models;

    /**
     * @param id          the preset id, also the provider id of the configuration made from it, for example
     *                    {@code groq}
     * @param name        the display name, for example {@code Groq}
     * @param baseUrl     the API endpoint; for a {@link #template()} a pattern the user completes
     * @param dialect     {@code openai} or {@code azure}
     * @param apiVersion  the Azure API version, or null
     * @param apiKeyEnv   the environment variable the service's users keep the key in, or null (local servers)
     * @param keyRequired whether the service needs a key
     * @param template    whether the user must complete the configuration before it can be enabled (Azure: the
     *                    resource and deployment in the URL)
     * @param docsUrl     where the service documents its API and keys, or null
     * @param setup       what the user does to use it, in one sentence
     * @param models      the models the service is known for, with their metadata
     */
    public Preset(String id, String name, String baseUrl, String dialect, String apiVersion, String apiKeyEnv,
            boolean keyRequired, boolean template, String docsUrl, String setup, List<ModelInfo> models) {
        if (!ProviderIds.isValid(id)) {
            throw new IllegalArgumentException("preset id \"" + id + "\" is not a valid provider id");
        }
        this.id = id;
        this.name = name == null || name.isBlank() ? id : name;
        this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
        this.dialect = dialect == null ? "openai" : dialect;
        this.apiVersion = apiVersion;
        this.apiKeyEnv = apiKeyEnv;
        this.keyRequired = keyRequired;
        this.template = template;
        this.docsUrl = docsUrl;
        this.setup = setup;
        this.models = models == null ? List.of() : List.copyOf(models);
    }

    /** @return the preset id, also the id of the provider made from it */
    public String id() {
        return id;
    }

    /** @return the display name */
    public String name() {
        return name;
    }

    /** @return the API endpoint (a pattern to complete for a template) */
    public String baseUrl() {
        return baseUrl;
    }

    /** @return the wire dialect: {@code openai} or {@code azure} */
    public String dialect() {
        return dialect;
    }

    /** @return the Azure API version, or null */
    public String apiVersion() {
        return apiVersion;
    }

    /** @return the environment variable users keep the key in, or null */
    public String apiKeyEnv() {
        return apiKeyEnv;
    }

    /** @return whether the service needs a key */
    public boolean keyRequired() {
        return keyRequired;
    }

    /** @return whether the configuration must be completed by the user before it can be enabled */
    public boolean template() {
        return template;
    }

    /** @return the documentation link, or null */
    public String docsUrl() {
        return docsUrl;
    }

    /** @return what the user does to use this preset, or null */
    public String setup() {
        return setup;
    }

    /** @return the well-known models, with metadata */
    public List<ModelInfo> models() {
        return models;
    }

    @Override
    public String toString() {
        return "Preset[" + id + ", " + baseUrl + ", " + models.size() + " models]";
    }
}
