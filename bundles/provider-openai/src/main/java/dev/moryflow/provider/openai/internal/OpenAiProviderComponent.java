package dev.moryflow.provider.openai.internal;

import java.util.Map;
import java.util.function.Function;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.moryflow.credentials.CredentialStore;
import dev.moryflow.http.HttpClients;
import dev.moryflow.http.ProviderRegistration;
import dev.moryflow.http.SettingException;

/**
 * One OpenAI-compatible provider per {@code moryflow.provider.openai} factory configuration. The component offers no
 * service through DS: it validates the configuration and registers the
 * {@link dev.moryflow.provider.ProviderService} itself, so an invalid configuration is refused with one log line
 * (field, fault, fix) and nothing else is disturbed, and a changed one updates the service's properties in place. A
 * disabled provider is not registered.
 */
@Component(name = OpenAiProviderComponent.PID, configurationPid = OpenAiProviderComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, service = {}, immediate = true)
@Designate(ocd = OpenAiProviderComponent.Config.class, factory = true)
public class OpenAiProviderComponent {

    /** The factory PID. */
    public static final String PID = "moryflow.provider.openai";

    /** The provider form in the Web Console; the values are read by {@link ProviderConfig}. */
    @ObjectClassDefinition(id = PID, name = "OpenAI-compatible provider",
            description = "An AI service that speaks the OpenAI API: a third-party or aggregation service, your "
                    + "company's internal service, Azure OpenAI, or a local server such as LM Studio or vLLM. You "
                    + "need its API endpoint (Base URL), an API key and the model names.")
    public @interface Config {

        /** @return the provider id chosen when the provider is made */
        @AttributeDefinition(name = "Provider id", required = false, description = "Chosen once, when the provider "
                + "is made: it names the provider in model names (id/model) and never changes. Leave empty to have "
                + "one made from the name (My AI Service: my-ai-service). Letters, digits, '.', '_' and '-'. A "
                + "provider from a deploy file takes its id from the file name (moryflow.provider.openai-<id>.cfg).")
        String id();

        /** @return the display name */
        @AttributeDefinition(name = "Name", description = "Display name, for example My AI Service. Renaming "
                + "changes only this name, never the provider id.")
        String name();

        /** @return the API endpoint */
        @AttributeDefinition(name = "Base URL", description = "API endpoint, usually ending with /v1, for example "
                + "https://api.example.com/v1, or http://localhost:1234/v1 for LM Studio. Azure OpenAI: "
                + "https://{your-resource}.openai.azure.com/openai/deployments/{deployment-name}.")
        String baseUrl();

        /** @return the key, moved into the credential store on save */
        @AttributeDefinition(name = "API Key", type = AttributeType.PASSWORD, required = false,
                description = "Authentication key, for example sk-xxxxx. On save it is moved into the encrypted "
                        + "credential store and removed from this configuration. Leave empty for local servers.")
        String apiKey();

        /** @return the environment variable holding the key */
        @AttributeDefinition(name = "API key environment variable", required = false,
                description = "Instead of storing the key: the name of the environment variable that holds it, "
                        + "for example GROQ_API_KEY. A stored key is used first.")
        String apiKeyEnv();

        /** @return the model ids */
        @AttributeDefinition(name = "Model list", required = false,
                description = "Available models, as named in API calls, for example gpt-4 and gpt-3.5-turbo (one "
                        + "per entry, or separated by commas). For Azure, the deployment name.")
        String[] models();

        /** @return the dialect */
        @AttributeDefinition(name = "Dialect", description = "How to talk to the service: the OpenAI protocol "
                + "(almost every service), or Azure OpenAI (api-key header and api-version).",
                options = { @Option(label = "OpenAI compatible", value = "openai"),
                        @Option(label = "Azure OpenAI", value = "azure") })
        String dialect() default "openai";

        /** @return the Azure API version */
        @AttributeDefinition(name = "Azure API version", required = false,
                description = "Azure OpenAI only: the api-version to call, for example 2024-10-21.")
        String apiVersion();

        /** @return extra headers */
        @AttributeDefinition(name = "Extra headers", required = false,
                description = "HTTP headers sent with every request, one per entry written as Name: value, for "
                        + "example X-Team: research.")
        String[] headers();

        /** @return the timeout */
        @AttributeDefinition(name = "Timeout (seconds)", min = "0",
                description = "Longest wait for an answer, or between two streamed pieces of one. Raise it for "
                        + "slow local models. 0 uses the hub's default (Read timeout of the MoryFlow HTTP client).")
        int timeoutSeconds() default 0;

        /** @return the limit of chats at once */
        @AttributeDefinition(name = "Most chats at once", min = "0",
                description = "How many chats, streamed or whole, may run at once through this provider (a "
                        + "service's own concurrency limit, or a local server that can take only a few). Over it a "
                        + "chat is refused at once with HTTP 429 naming this setting, never queued. 0: no limit.")
        int maxConcurrent() default 0;

        /** @return whether the provider is offered */
        @AttributeDefinition(name = "Enabled",
                description = "Clear to keep this configuration without offering the provider.")
        boolean enabled() default true;

        /** @return whether plain http to another machine is allowed */
        @AttributeDefinition(name = "Allow insecure HTTP", description = "Plain http:// to another machine sends "
                + "the key and your messages unencrypted, so such a provider is refused. Set only for a server on a "
                + "network you trust; https:// and this machine (localhost) need no setting.")
        boolean allowInsecure() default false;

        /** @return extra trusted CA certificates */
        @AttributeDefinition(name = "Trusted CA certificates", required = false,
                description = "For a company or self-hosted service whose HTTPS certificate comes from your own "
                        + "certificate authority: that CA's certificate, as PEM text (-----BEGIN CERTIFICATE----- "
                        + "...; several may follow each other) or the path of a .pem file. Trusted for this "
                        + "provider in addition to the certificates Java trusts already. Leave empty for public "
                        + "services.")
        String caCertificates();

        /** @return the client certificate for mutual TLS */
        @AttributeDefinition(name = "Client certificate", required = false,
                description = "Only when the service asks for a client certificate (mutual TLS): the certificate "
                        + "the hub presents, as PEM text or the path of a .pem file (intermediate certificates may "
                        + "follow it). Needs Client key.")
        String clientCertificate();

        /** @return the path of the client certificate's key file */
        @AttributeDefinition(name = "Client key file", required = false,
                description = "The path of the client certificate's private key: a PEM file with an unencrypted "
                        + "PKCS#8 key (-----BEGIN PRIVATE KEY-----), readable only by the hub's user (chmod 600). "
                        + "A path only, never the key itself, so the key stays out of this configuration. Convert "
                        + "other forms with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out client-key.pem")
        String clientKey();

        /** @return this provider's proxy */
        @AttributeDefinition(name = "Proxy", required = false,
                description = "This provider's own proxy, used instead of the Proxy of the MoryFlow HTTP client: "
                        + "http://host:port (for example http://proxy:3128) or socks5://host:port; or direct to "
                        + "reach this provider without the hub's proxy (an internal service). Leave empty to use "
                        + "the hub's proxy.")
        String proxy();

        /** @return the preset id */
        @AttributeDefinition(name = "Preset", required = false,
                description = "The preset this provider was made from (set by MoryFlow); empty for custom "
                        + "providers.")
        String preset();

        /** @return how the Web Console names each configuration */
        String webconsole_configurationFactory_nameHint() default "{name} ({baseUrl})";
    }

    private final Logger logger = LoggerFactory.getLogger(OpenAiProviderComponent.class);
    private final CredentialStore store;
    private final HttpClients http;
    private final ProviderRegistration registration;
    /** The configuration last applied, for a retry; null once deactivated. Guarded by this. */
    private Map<String, Object> properties;
    /** This bundle's name, for the chats told it stopped. */
    private final String bundle;
    private final Function<String, String> env;
    private final OpenAiCodec codec = new OpenAiCodec();
    private OpenAiProvider provider;

    /**
     * @param store      the credential store: this bundle's view, which may read the keys of the providers it
     *                   registered
     * @param http       the shared HTTP client
     * @param context    this bundle's context, to register the provider service
     * @param properties the configuration
     */
    @Activate
    public OpenAiProviderComponent(@Reference(name = "credentials") CredentialStore store,
            @Reference(name = "http") HttpClients http, BundleContext context, Map<String, Object> properties) {
        this(store, http, context, properties, System::getenv);
    }

    OpenAiProviderComponent(CredentialStore store, HttpClients http, BundleContext context,
            Map<String, Object> properties, Function<String, String> env) {
        this.bundle = context.getBundle().getSymbolicName();
        this.store = store;
        this.http = http;
        this.registration = new ProviderRegistration(context);
        this.env = env;
        registration.retryWhenIdFree(this::retry);
        apply(properties);
    }

    @Modified
    synchronized void modified(Map<String, Object> properties) {
        apply(properties);
    }

    /** Its configuration again, once the provider that held its id went (on another thread than DS's). */
    private synchronized void retry() {
        if (properties != null && !registration.isRegistered()) {
            apply(properties);
        }
    }

    /** @param reason why DS deactivates the component: one of {@code ComponentConstants.DEACTIVATION_REASON_*} */
    @Deactivate
    void deactivate(int reason) {
        deactivate(ProviderRegistration.why(reason, bundle));
    }

    /** @param why what happened, told to every chat still running through the provider */
    synchronized void deactivate(String why) {
        registration.close();
        properties = null;
        if (registration.isRegistered()) {
            provider.close(why); // its chats end with this reason before the service goes
            registration.unregister();
            logger.info("Provider {} removed ({})", provider.config().id(), why);
        }
    }

    private void apply(Map<String, Object> properties) {
        this.properties = properties;
        boolean disabled = "false".equalsIgnoreCase(String.valueOf(properties.get(ProviderConfig.ENABLED)));
        if (disabled && provider != null && registration.isRegistered()) {
            // its chats are told before accept unregisters its service (else they hear only that it was withdrawn)
            provider.close("its configuration was disabled (enabled = false)");
        }
        ProviderConfig c = registration.accept(properties, OpenAiProviderComponent::read, ProviderConfig::id, PID,
                logger);
        if (c == null) {
            if (provider != null && !registration.isRegistered()) {
                if (!disabled) {
                    provider.close("its configuration is no longer valid");
                }
                provider = null;
            }
            return;
        }
        if (!registration.isRegistered()) {
            provider = new OpenAiProvider(store, http, env, codec, c);
        } else {
            provider.update(c);
        }
        boolean registered = registration.registerOrUpdate(provider, c.serviceProperties());
        logger.info("Provider {} {}: {} protocol, base URL {}, models {}", c.id(),
                registered ? "registered" : "updated", c.protocol(), c.displayBaseUrl(), c.models());
        ProviderRegistration.warnInsecure(logger, c.transport(), c.id(), c.displayBaseUrl());
    }

    private static ProviderConfig read(Map<String, ?> properties) throws SettingException {
        try {
            return ProviderConfig.parse(properties);
        } catch (InvalidConfigurationException e) {
            throw new SettingException(e.field(), e.getMessage());
        }
    }

    /** @return the registered provider, or null; for tests */
    OpenAiProvider provider() {
        return registration.isRegistered() ? provider : null;
    }
}
