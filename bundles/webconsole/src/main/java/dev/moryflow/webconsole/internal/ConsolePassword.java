package dev.moryflow.webconsole.internal;

import java.security.SecureRandom;

import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gives the Web Console a password when none is set ({@link FirstPassword}): at activation (a few Config Admin
 * calls, no waiting), and whenever the console's configuration goes or is left without one, so that removing the
 * password property makes a new one at once (the console answers a configuration without a password by writing
 * its default admin password into it; that is the change acted on). Config Admin delivers these events on its
 * own thread.
 */
@Component(service = ConfigurationListener.class, immediate = true)
public class ConsolePassword implements ConfigurationListener {

    private final FirstPassword firstPassword;

    @Activate
    public ConsolePassword(@Reference ConfigurationAdmin configAdmin, BundleContext context) {
        this.firstPassword = new FirstPassword(configAdmin, context::getProperty, () -> System.out,
                new SecureRandom());
        firstPassword.ensure();
    }

    @Override
    public void configurationEvent(ConfigurationEvent event) {
        if (!FirstPassword.PID.equals(event.getPid())) {
            return;
        }
        if (event.getType() == ConfigurationEvent.CM_DELETED) {
            firstPassword.ensure();
        } else if (event.getType() == ConfigurationEvent.CM_UPDATED) {
            firstPassword.ensureAfterChange();
        }
    }
}
