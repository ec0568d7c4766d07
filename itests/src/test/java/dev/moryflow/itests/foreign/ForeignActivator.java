package dev.moryflow.itests.foreign;

import java.util.Hashtable;
import java.util.function.BiFunction;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * Starts the foreign bundle: registers its {@link Attempts} as a plain JDK {@link BiFunction}, so the test can ask
 * for each attempt without sharing a class with this bundle.
 */
public class ForeignActivator implements BundleActivator {

    /** Service property (value {@code attempts}) that marks the foreign bundle's service. */
    public static final String MARKER = "itest.foreign";

    @Override
    public void start(BundleContext context) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(MARKER, "attempts");
        context.registerService(BiFunction.class, new Attempts(context), props);
    }

    @Override
    public void stop(BundleContext context) {
        // the framework unregisters the service
    }
}
