package dev.moryflow.itests.extra;

import java.util.Hashtable;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

import dev.moryflow.provider.ProviderService;

/** Registers the {@link EchoProvider} with the service properties every provider carries. */
public class EchoProviderActivator implements BundleActivator {

    @Override
    public void start(BundleContext context) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(ProviderService.PROVIDER_ID, "echo");
        props.put(ProviderService.PROVIDER_NAME, "Echo");
        props.put(ProviderService.PROVIDER_PROTOCOL, "echo");
        props.put(ProviderService.PROVIDER_MODELS, new String[] { EchoProvider.MODEL.id() });
        context.registerService(ProviderService.class, new EchoProvider(), props);
    }

    @Override
    public void stop(BundleContext context) {
        // the framework unregisters the service
    }
}
