package dev.moryflow.credentials.internal;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
    /** Apache Karaf's data folder (a system property Karaf sets); the store goes to {@value #KARAF_SUB_FOLDER}. */
    static final String KARAF_DATA_PROPERTY = "karaf.data";
    static final String KARAF_SUB_FOLDER = "moryflow/credentials";

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
                context.getProperty(KARAF_DATA_PROPERTY), () -> context.getDataFile(SUB_FOLDER));
        if (config.directory().isBlank()) {
            adoptBundleAreaStore(directory, context.getDataFile(SUB_FOLDER));
        }
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
     * @param karafData  the {@code karaf.data} property (set when running in Apache Karaf), or null
     * @param bundleData the bundle's data area folder, may give null
     * @return the store folder: the configured one, else {@code <dataDir>/credentials} (the Felix distribution),
     *         else {@code <karaf.data>/moryflow/credentials} (Karaf: kept across a feature:uninstall + install and
     *         a wiped bundle cache), else the bundle's data area
     */
    static Path resolveDirectory(String configured, String dataDir, String karafData, Supplier<File> bundleData) {
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured.trim());
        }
        if (dataDir != null && !dataDir.isBlank()) {
            return Path.of(dataDir.trim(), SUB_FOLDER);
        }
        if (karafData != null && !karafData.isBlank()) {
            return Path.of(karafData.trim()).resolve(KARAF_SUB_FOLDER);
        }
        File own = bundleData.get();
        if (own == null) {
            throw new IllegalStateException("no folder for the credential store: the framework has no bundle data "
                    + "area; set the 'directory' property of configuration " + PID + " or the framework property "
                    + DATA_DIR_PROPERTY);
        }
        return own.toPath();
    }

    /**
     * Earlier versions kept the store in the bundle's data area when no folder was set (so in Karaf, where an
     * uninstall or a clean start lost it): a store found there, and none in the default folder, is moved there.
     */
    void adoptBundleAreaStore(Path directory, File bundleArea) {
        if (bundleArea == null || bundleArea.toPath().toAbsolutePath().equals(directory.toAbsolutePath())) {
            return;
        }
        adopt(bundleArea.toPath(), directory, logger);
    }

    /** Moves {@code master.key} and {@code credentials.store} from {@code from} to {@code to} when only from has them. */
    static boolean adopt(Path from, Path to, Logger logger) {
        Path store = from.resolve(Vault.STORE_FILE);
        Path key = from.resolve(MasterKeyFile.FILE_NAME);
        if (!Files.isRegularFile(store) || !Files.isRegularFile(key) || Files.exists(to.resolve(Vault.STORE_FILE))
                || Files.exists(to.resolve(MasterKeyFile.FILE_NAME))) {
            return false;
        }
        try {
            if (!Files.isDirectory(to)) {
                Files.createDirectories(to.getParent());
                try {
                    Files.createDirectory(to, PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rwx------")));
                } catch (UnsupportedOperationException notPosix) {
                    Files.createDirectory(to);
                }
            }
            Files.move(key, to.resolve(MasterKeyFile.FILE_NAME));
            Files.move(store, to.resolve(Vault.STORE_FILE));
            logger.info("Moved the credential store from the bundle's data area {} to {}, which outlives the bundle",
                    from.toAbsolutePath(), to.toAbsolutePath());
            return true;
        } catch (IOException | RuntimeException e) {
            logger.warn("Could not move the credential store from {} to {} ({}): set the 'directory' property of "
                    + "configuration {} to {} to keep using it there", from.toAbsolutePath(), to.toAbsolutePath(),
                    e.toString(), PID, from.toAbsolutePath());
            return false;
        }
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
