package dev.moryflow.credentials.internal;

import java.io.File;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.Supplier;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single shared {@link Vault}, configured by {@code moryflow.credentials}; a new configuration makes a new
 * component, which opens the folder again. Registered under this internal class only, for the bundle's own
 * components. Activation reads two small files (and runs PBKDF2 once when a master password is set): bounded work,
 * no network, no waiting.
 */
@Component(name = VaultComponent.PID, service = VaultComponent.class, immediate = true,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = CredentialsConfig.class)
public class VaultComponent {

    /** The configuration PID. */
    static final String PID = "moryflow.credentials";
    /** Framework property naming the hub's data folder; the store goes to its {@code credentials} sub-folder. */
    static final String DATA_DIR_PROPERTY = "moryflow.data.dir";
    static final String SUB_FOLDER = "credentials";

    private final Logger logger = LoggerFactory.getLogger(VaultComponent.class);
    private final Vault vault;

    /**
     * @param context    the bundle context, for the framework property and the data area
     * @param config     the configuration
     * @param eventAdmin where events are posted
     */
    @Activate
    public VaultComponent(BundleContext context, CredentialsConfig config, @Reference EventAdmin eventAdmin) {
        Path directory = resolveDirectory(config.directory(), context.getProperty(DATA_DIR_PROPERTY),
                () -> context.getDataFile(SUB_FOLDER));
        char[] password = masterPassword();
        vault = new Vault(directory, password, (topic, properties) -> eventAdmin.postEvent(
                new Event(topic, properties)), Clock.systemUTC(), config.rotationWarningDays());
        Secrets.wipe(password);
        vault.open();
        vault.checkExpiring();
    }

    /** @return the shared vault */
    Vault vault() {
        return vault;
    }

    /**
     * @param configured the {@code directory} property
     * @param dataDir    the {@code moryflow.data.dir} framework property, or null
     * @param bundleData the bundle's data area folder, may give null
     * @return the store folder: the configured one, else {@code <dataDir>/credentials}, else the bundle's data area
     */
    static Path resolveDirectory(String configured, String dataDir, Supplier<File> bundleData) {
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured.trim());
        }
        if (dataDir != null && !dataDir.isBlank()) {
            return Path.of(dataDir.trim(), SUB_FOLDER);
        }
        File own = bundleData.get();
        if (own == null) {
            throw new IllegalStateException("no folder for the credential store: the framework has no bundle data "
                    + "area; set the 'directory' property of configuration " + PID + " or the framework property "
                    + DATA_DIR_PROPERTY);
        }
        return own.toPath();
    }

    private char[] masterPassword() {
        String value = System.getenv(MasterKeyFile.PASSWORD_ENV);
        if (value == null) {
            return null;
        }
        if (value.isBlank()) {
            logger.warn("{} is set but empty; ignored: set a real password or unset it", MasterKeyFile.PASSWORD_ENV);
            return null;
        }
        return value.toCharArray();
    }
}
