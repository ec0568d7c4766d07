package dev.moryflow.shell.internal;

import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;

import org.apache.felix.service.command.Function;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * Gogo finds a command by its method's name, and Java names cannot hold a dash: commands such as {@code key-set}
 * are registered as {@link Function} services of their own, and unregistered together. What a function returns is
 * printed ({@link Printed}), not returned.
 */
final class DashedCommands {

    private final BundleContext context;
    private final List<ServiceRegistration<Function>> registrations = new ArrayList<>();

    DashedCommands(BundleContext context) {
        this.context = context;
    }

    /** Service property of a dashed command: its usage line, shown by {@code help moryflow:<name>}. */
    static final String USAGE = "moryflow.command.usage";
    /** Service property of a dashed command: what it does. */
    static final String DESCRIPTION = "moryflow.command.description";

    /**
     * Registers {@code moryflow:<name>}.
     *
     * @param usage       the arguments, e.g. {@code <provider>}
     * @param description what it does, for {@code help}
     */
    DashedCommands add(String name, String usage, String description, Function f) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("osgi.command.scope", "moryflow");
        props.put("osgi.command.function", name);
        props.put(USAGE, "moryflow:" + name + (usage.isEmpty() ? "" : " " + usage));
        props.put(DESCRIPTION, description);
        Function printing = (session, arguments) -> {
            Printed.print(f.execute(session, arguments));
            return null;
        };
        registrations.add(context.registerService(Function.class, printing, props));
        return this;
    }

    /** Unregisters every command added. */
    void removeAll() {
        for (ServiceRegistration<Function> r : registrations) {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the bundle is stopping
            }
        }
        registrations.clear();
    }
}
