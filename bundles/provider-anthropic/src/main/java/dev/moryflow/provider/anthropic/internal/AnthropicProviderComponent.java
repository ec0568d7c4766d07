package dev.moryflow.provider.anthropic.internal;

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.moryflow.credentials.CredentialStore;
import dev.moryflow.http.HttpClients;
import dev.moryflow.http.ProviderRegistration;

/**
 * One Anthropic provider per {@code moryflow.provider.anthropic} factory configuration. The component offers no
 * service through DS: it validates the configuration and registers the {@link dev.moryflow.provider.ProviderService}
 * itself ({@link ProviderRegistration}), so an invalid configuration is refused with one log line (field, fault,
 * fix) and nothing else is disturbed, a changed one updates the service in place, and an id another provider (of any
 * bundle) has is refused. A disabled provider is not registered. Its {@code apiKey} never reaches this bundle: the
 * credentials bundle moves it from every {@code moryflow.provider.*} configuration into the store.
 */
@Component(name = AnthropicProviderComponent.PID, configurationPid = AnthropicProviderComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, service = {}, immediate = true)
@Designate(ocd = AnthropicProviderComponent.Config.class, factory = true)
public class AnthropicProviderComponent {

    /** The factory PID. */
    public static final String PID = "moryflow.provider.anthropic";

    /** The provider form in the Web Console; the values are read by {@link AnthropicConfig}. */
    @ObjectClassDefinition(id = PID, name = "Anthropic provider",
            description = "Claude models through Anthropic's Messages API (api.anthropic.com, or a service that "
                    + "speaks the same API). OpenAI clients of the hub use it like any other provider: requests "
                    + "and answers are translated, tools and streaming included. You need an API key and the model "
                    + "names.")
    public @interface Config {

        /** @return the provider id chosen when the provider is made */
        @AttributeDefinition(name = "Provider id", required = false, description = "Chosen once, when the provider "
                + "is made: it names the provider in model names (id/model) and never changes. Leave empty to have "
                + "one made from the name (Claude: claude). Letters, digits, '.', '_' and '-'. A provider from a "
                + "deploy file takes its id from the file name (moryflow.provider.anthropic-<id>.cfg).")
        String id();

        /** @return the display name */
        @AttributeDefinition(name = "Name", description = "Display name, for example Claude. Renaming changes "
                + "only this name, never the provider id.")
        String name();

        /** @return the API endpoint */
        @AttributeDefinition(name = "Base URL", description = "The API's address: https://api.anthropic.com (the "
                + "default), with or without /v1. Requests go to <Base URL>/v1/messages.")
        String baseUrl() default "https://api.anthropic.com";

        /** @return the key, moved into the credential store on save */
        @AttributeDefinition(name = "API Key", type = AttributeType.PASSWORD, required = false,
                description = "Your Anthropic API key (sk-ant-...). On save it is moved into the encrypted "
                        + "credential store and removed from this configuration; it is only ever sent to the "
                        + "Base URL's origin.")
        String apiKey();

        /** @return the environment variable holding the key */
        @AttributeDefinition(name = "API key environment variable", required = false,
                description = "Instead of storing the key: the environment variable of the hub that holds it. A "
                        + "stored key is used first.")
        String apiKeyEnv() default "ANTHROPIC_API_KEY";

        /** @return the model ids */
        @AttributeDefinition(name = "Model list", required = false,
                description = "Available models, as Anthropic names them, for example claude-sonnet-4-5 and "
                        + "claude-haiku-4-5 (one per entry, or separated by commas).")
        String[] models();

        /** @return the API version header */
        @AttributeDefinition(name = "Anthropic API version", description = "The anthropic-version header sent "
                + "with every request.")
        String anthropicVersion() default "2023-06-01";

        /** @return the default max_tokens */
        @AttributeDefinition(name = "Max tokens", min = "1", description = "The Messages API needs a limit for "
                + "every answer: this one is used when a request does not set max_tokens or "
                + "max_completion_tokens.")
        int maxTokens() default 4096;

        /** @return extra headers */
        @AttributeDefinition(name = "Extra headers", required = false,
                description = "HTTP headers sent with every request, one per entry written as Name: value, for "
                        + "example anthropic-beta: prompt-caching-2024-07-31.")
        String[] headers();

        /** @return the timeout */
        @AttributeDefinition(name = "Timeout (seconds)", min = "0",
                description = "Longest wait for an answer, or between two streamed pieces of one. 0 uses the "
                        + "hub's default (Read timeout of the MoryFlow HTTP client).")
        int timeoutSeconds() default 0;

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
                description = "For a gateway in front of the API whose HTTPS certificate comes from your own "
                        + "certificate authority: that CA's certificate, as PEM text or the path of a .pem file.")
        String caCertificates();

        /** @return the client certificate for mutual TLS */
        @AttributeDefinition(name = "Client certificate", required = false,
                description = "Only when the service asks for a client certificate (mutual TLS): the certificate, "
                        + "as PEM text or the path of a .pem file. Needs Client key.")
        String clientCertificate();

        /** @return the path of the client certificate's key file */
        @AttributeDefinition(name = "Client key file", required = false,
                description = "The path of the client certificate's unencrypted PKCS#8 PEM key file, readable only "
                        + "by the hub's user. A path only, never the key itself.")
        String clientKey();

        /** @return this provider's proxy */
        @AttributeDefinition(name = "Proxy", required = false,
                description = "This provider's own proxy (http://host:port or socks5://host:port), or direct for "
                        + "none; empty: the hub's proxy.")
        String proxy();

        /** @return how the Web Console names each configuration */
        String webconsole_configurationFactory_nameHint() default "{name} ({baseUrl})";
    }

    private final Logger logger = LoggerFactory.getLogger(AnthropicProviderComponent.class);
    private final CredentialStore store;
    private final HttpClients http;
    private final ProviderRegistration registration;
    /** The configuration last applied, for a retry; null once deactivated. Guarded by this. */
    private Map<String, Object> properties;
    /** This bundle's name, for the chats told it stopped. */
    private final String bundle;
    private final Function<String, String> env;
    private AnthropicProvider provider;

    /**
     * @param store      the credential store: this bundle's view, which may read the keys of the providers it
     *                   registered
     * @param http       the shared HTTP client
     * @param context    this bundle's context, to register the provider service
     * @param properties the configuration
     */
    @Activate
    public AnthropicProviderComponent(@Reference(name = "credentials") CredentialStore store,
            @Reference(name = "http") HttpClients http, BundleContext context, Map<String, Object> properties) {
        this(store, http, new ProviderRegistration(context), properties, System::getenv,
                context.getBundle().getSymbolicName());
    }

    AnthropicProviderComponent(CredentialStore store, HttpClients http, ProviderRegistration registration,
            Map<String, Object> properties, Function<String, String> env, String bundle) {
        this.bundle = bundle;
        this.store = store;
        this.http = http;
        this.registration = registration;
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
        if (provider != null) {
            // the bundle stops or the configuration is gone: chats still running end now, saying so
            provider.close(why);
        }
        if (registration.isRegistered()) {
            registration.unregister();
            logger.info("Provider {} removed ({})", provider.config().id(), why);
        }
    }

    private void apply(Map<String, Object> properties) {
        this.properties = properties;
        AnthropicConfig c = registration.accept(properties, AnthropicConfig::parse, AnthropicConfig::id, PID, logger);
        if (c == null) {
            if (provider != null) {
                provider.close("its configuration was disabled or became invalid");
                provider = null;
            }
            return;
        }
        if (registration.isRegistered()) {
            provider.update(c);
        } else {
            provider = new AnthropicProvider(store, http, env, c);
        }
        boolean registered = registration.registerOrUpdate(provider, c.serviceProperties());
        logger.info("Provider {} {}: anthropic protocol (version {}), base URL {}, models {}", c.id(),
                registered ? "registered" : "updated", c.anthropicVersion(), c.displayBaseUrl(), c.models());
        ProviderRegistration.warnInsecure(logger, c.transport(), c.id(), c.displayBaseUrl());
    }

    /** @return the registered provider, or null; for tests */
    AnthropicProvider provider() {
        return registration.isRegistered() ? provider : null;
    }
}
