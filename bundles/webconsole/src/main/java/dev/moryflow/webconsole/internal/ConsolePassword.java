package dev.moryflow.webconsole.internal;

import java.security.SecureRandom;

import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * At activation, gives the Web Console a password when none is set ({@link FirstPassword}): a few Config Admin
 * calls, no waiting. Registers no service.
 */
@Component(service = {}, immediate = true)
public class ConsolePassword {

    @Activate
    public ConsolePassword(@Reference ConfigurationAdmin configAdmin, BundleContext context) {
        new FirstPassword(configAdmin, context::getProperty, System.out, new SecureRandom()).ensure();
    }
}
