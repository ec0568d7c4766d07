package dev.moryflow.credentials.internal;

import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * Hands Config Admin's events about provider and gateway configurations to the {@link ConfigurationSteward}: the
 * configurations present at start, then each one created, changed or deleted. Config Admin delivers events on its
 * own thread, so nothing here blocks the caller that changed a configuration. Keys taken in are written to the store,
 * and taken out of their configurations, on this component's own thread a moment later, several at a time.
 * Registered also under this class, for the bundle's own {@code CredentialStore} views, which ask it who owns a
 * provider id.
 */
@Component(service = {ConfigurationListener.class, StewardComponent.class}, immediate = true)
public class StewardComponent implements ConfigurationListener {

    private final ConfigurationSteward steward;
    private final java.util.concurrent.ScheduledExecutorService flusher =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "moryflow-credentials-flush");
                t.setDaemon(true);
                return t;
            });

    /**
     * Looks after the configurations that exist: a few small writes, no waiting.
     *
     * @param configurationAdmin Config Admin
     * @param vault              the shared vault
     * @param context            this bundle's context, for a scratch folder in its data area
     */
    @Activate
    public StewardComponent(@Reference ConfigurationAdmin configurationAdmin, @Reference VaultComponent vault,
            org.osgi.framework.BundleContext context) {
        java.io.File scratch = context.getDataFile("decoys");
        String deploy = context.getProperty("felix.fileinstall.dir");
        this.steward = new ConfigurationSteward(configurationAdmin, vault.vault(),
                scratch == null ? null : scratch.toPath(),
                deploy == null || deploy.isBlank() ? null : java.nio.file.Path.of(deploy).toAbsolutePath(), flusher);
        steward.start();
    }

    /** Writes what is held back and takes those keys out of their configurations before stopping. */
    @Deactivate
    void deactivate() {
        flusher.shutdownNow();
        steward.flush();
    }

    @Override
    public void configurationEvent(ConfigurationEvent event) {
        if (!ConfigurationSteward.concerns(event.getPid())) {
            return;
        }
        if (event.getType() == ConfigurationEvent.CM_DELETED) {
            steward.deleted(event.getPid(), event.getFactoryPid());
        } else if (event.getType() == ConfigurationEvent.CM_UPDATED) {
            steward.updated(event.getPid());
        }
    }

    /** @return who owns provider ids */
    Owners owners() {
        return steward;
    }
}
