package dev.moryflow.chat.internal;

import java.util.Hashtable;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code moryflow.model} factory configuration: validates it and, when valid, hands it to routing (as a service
 * private to this bundle), so a refused configuration changes nothing but one log line.
 */
@Component(name = ModelConfigComponent.PID, configurationPid = ModelConfigComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, service = {}, immediate = true)
@Designate(ocd = ModelConfigComponent.Config.class, factory = true)
public class ModelConfigComponent {

    /** The factory PID. */
    public static final String PID = "moryflow.model";

    /** The model form in the Web Console ("Add Model"); the values are read by {@link ModelConfig}. */
    @ObjectClassDefinition(id = PID, name = "Model",
            description = "A model of a provider, with what it can do. Adds the model to the provider when it does "
                    + "not list it yet, and overrides what the preset catalog says about it.")
    public @interface Config {

        /** @return the provider id */
        @AttributeDefinition(name = "Provider", description = "The id of the provider serving the model, for "
                + "example groq or myai (`moryflow:providers` lists them).")
        String provider();

        /** @return the model id */
        @AttributeDefinition(name = "Model ID", description = "The name used in API calls, for example "
                + "llama-3.3-70b-versatile.")
        String id();

        /** @return the display name */
        @AttributeDefinition(name = "Display Name", required = false,
                description = "The name shown in interfaces, for example Llama 3.3 70B.")
        String displayName();

        /** @return the context window */
        @AttributeDefinition(name = "Context Window", required = false, min = "0", description = "Maximum tokens "
                + "supported, prompt and answer together, for example 128000. Empty or 0: unknown.")
        int contextWindow();

        /** @return the maximum output */
        @AttributeDefinition(name = "Max output tokens", required = false, min = "0",
                description = "Longest answer in tokens, for example 8192. Empty or 0: unknown.")
        int maxOutputTokens();

        /** @return the capability tags */
        @AttributeDefinition(name = "Capability Tags", required = false,
                description = "What the model supports. Requests with images need vision; requests with tools "
                        + "need tools.",
                options = { @Option(label = "Chat", value = "chat"), @Option(label = "Vision (images)", value = "vision"),
                        @Option(label = "Tools (function calling)", value = "tools"),
                        @Option(label = "Reasoning", value = "reasoning"), @Option(label = "JSON output", value = "json"),
                        @Option(label = "Embedding", value = "embedding"),
                        @Option(label = "Web search", value = "web-search"), @Option(label = "Audio", value = "audio") })
        String[] capabilities();

        /** @return how the Web Console names each configuration */
        String webconsole_configurationFactory_nameHint() default "{provider}/{id} ({displayName})";
    }

    private final Logger logger = LoggerFactory.getLogger(ModelConfigComponent.class);
    private final ParsedRegistration<ModelConfig> registration;

    /**
     * @param context    this bundle's context
     * @param properties the configuration
     */
    @Activate
    public ModelConfigComponent(BundleContext context, Map<String, Object> properties) {
        this.registration = new ParsedRegistration<>(context, ModelConfig.class, "Model configuration", logger);
        apply(properties);
    }

    @Modified
    void modified(Map<String, Object> properties) {
        apply(properties);
    }

    @Deactivate
    void deactivate() {
        registration.unregister();
    }

    private void apply(Map<String, Object> properties) {
        ModelConfig c = registration.apply(properties, ModelConfig::parse, parsed -> {
            Hashtable<String, Object> props = new Hashtable<>();
            props.put(ModelConfig.PROVIDER, parsed.provider);
            props.put(ModelConfig.ID, parsed.id);
            return props;
        });
        if (c == null) {
            return;
        }
        logger.info("Model {}/{} described: {}", c.provider, c.id, describe(c));
    }

    private static String describe(ModelConfig c) {
        StringBuilder s = new StringBuilder();
        s.append(c.displayName == null ? "(display name unchanged)" : c.displayName);
        s.append(", context window ").append(c.contextWindow == null ? "unchanged" : c.contextWindow);
        s.append(", capabilities ").append(c.capabilities == null ? "unchanged" : c.capabilities);
        return s.toString();
    }
}
