package dev.moryflow.credentials.internal;

import java.io.IOException;

import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches Config Admin and hands every provider configuration and the gateway configuration to the
 * {@link KeyIngester}: those present at start, then each one created or changed. Config Admin delivers events on its
 * own thread, so nothing here blocks the caller that changed a configuration. Configurations are looked up with
 * {@code listConfigurations}, which, unlike {@code getConfiguration}, never binds them to this bundle.
 */
@Component(service = ConfigurationListener.class, immediate = true)
public class KeyIngestionComponent implements ConfigurationListener {

    private static final String FILTER = "(|(service.factoryPid=" + KeyIngester.PROVIDER_FACTORY_PREFIX + "*)"
            + "(service.pid=" + KeyIngester.GATEWAY_PID + "))";

    private final Logger logger = LoggerFactory.getLogger(KeyIngestionComponent.class);
    private final ConfigurationAdmin configurationAdmin;
    private final KeyIngester ingester;

    /**
     * Moves the secrets of the configurations that already exist: a few small writes, no waiting.
     *
     * @param configurationAdmin Config Admin
     * @param vault              the shared vault
     */
    @Activate
    public KeyIngestionComponent(@Reference ConfigurationAdmin configurationAdmin, @Reference VaultComponent vault) {
        this.configurationAdmin = configurationAdmin;
        this.ingester = new KeyIngester(vault.vault());
        ingestAll(FILTER);
    }

    @Override
    public void configurationEvent(ConfigurationEvent event) {
        if (event.getType() == ConfigurationEvent.CM_UPDATED
                && KeyIngester.concerns(event.getPid(), event.getFactoryPid())) {
            ingestAll("(service.pid=" + escape(event.getPid()) + ")");
        }
    }

    private void ingestAll(String filter) {
        Configuration[] configurations;
        try {
            configurations = configurationAdmin.listConfigurations(filter);
        } catch (IOException | InvalidSyntaxException e) {
            logger.error("Could not list configurations {} to move their keys: {}", filter, e.toString());
            return;
        }
        if (configurations != null) {
            for (Configuration configuration : configurations) {
                try {
                    ingester.ingest(configuration);
                } catch (IllegalStateException deleted) {
                    logger.debug("Configuration {} went away while its key was moved", filter);
                }
            }
        }
    }

    /** Escapes the characters that are special in an LDAP filter value. */
    static String escape(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (char c : value.toCharArray()) {
            if (c == '\\' || c == '(' || c == ')' || c == '*') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }
}
