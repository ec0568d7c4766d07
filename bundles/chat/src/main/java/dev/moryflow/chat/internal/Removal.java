package dev.moryflow.chat.internal;

import java.io.IOException;

import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;

import dev.moryflow.provider.ProviderIds;

/**
 * Why a provider service was unregistered, as far as the service registry and Config Admin tell, in the words the
 * chats still running through it are told: its bundle is stopping (stopped, updated or uninstalled), its
 * configuration is gone, or its bundle withdrew it. A provider bundle that ends its own calls first says it more
 * precisely (provider-openai does); this is for any other.
 */
final class Removal {

    private Removal() {
    }

    /**
     * @param ref         the service being unregistered (its bundle is still known while it unregisters)
     * @param configAdmin Config Admin, or null
     * @return what happened, completing "provider x was removed while this chat was running (...)"
     */
    static String why(ServiceReference<?> ref, ConfigurationAdmin configAdmin) {
        Bundle bundle = ref.getBundle();
        String name = bundle == null ? "its bundle" : "its bundle " + bundle.getSymbolicName();
        if (bundle == null || (bundle.getState() & (Bundle.ACTIVE | Bundle.STARTING)) == 0) {
            return name + " stopped: it was stopped, updated or uninstalled";
        }
        Object pid = ref.getProperty(Constants.SERVICE_PID);
        if (pid instanceof String && configAdmin != null && !exists((String) pid, configAdmin)) {
            return "its configuration was deleted";
        }
        return name + " withdrew it";
    }

    private static boolean exists(String pid, ConfigurationAdmin configAdmin) {
        try {
            return configAdmin.listConfigurations("(" + Constants.SERVICE_PID + "=" + ProviderIds.filterValue(pid)
                    + ")") != null;
        } catch (IOException | InvalidSyntaxException | RuntimeException e) {
            return true; // not known to be gone
        }
    }
}
