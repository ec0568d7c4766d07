package dev.moryflow.shell.internal;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import dev.moryflow.provider.ProviderIds;

/**
 * {@code moryflow:help}: Gogo's own {@code help} finds a command's description on a method of the same name, which a
 * dashed command ({@code key-set}) cannot have. This answers for those from the usage and description they are
 * registered with, and hands everything else to Felix Gogo's {@code felix:help}. The runtime's shell lists scope
 * {@code moryflow} first, so a plain {@code help} is this one.
 */
@Component(service = HelpCommand.class, immediate = true, property = { "osgi.command.scope=moryflow",
    "osgi.command.function=help" })
public class HelpCommand {

    private final BundleContext context;

    /** @param context this bundle's context, to find the dashed commands */
    @Activate
    public HelpCommand(BundleContext context) {
        this.context = context;
    }

    @Descriptor("list every command")
    public String help(CommandSession session) throws Exception {
        // felix:help leaves out the commands that have no method of their name: the dashed ones
        java.util.SortedSet<String> names = new java.util.TreeSet<>();
        Object listed = session.execute("felix:help");
        if (listed != null) {
            for (String line : String.valueOf(listed).split("\\R")) {
                if (!line.isBlank()) {
                    names.add(line.trim());
                }
            }
        }
        ServiceReference<?>[] refs = context.getServiceReferences((String) null,
                "(&(osgi.command.scope=moryflow)(" + DashedCommands.USAGE + "=*))");
        for (ServiceReference<?> r : refs == null ? new ServiceReference<?>[0] : refs) {
            names.add("moryflow:" + r.getProperty("osgi.command.function"));
        }
        return String.join("\n", names) + "\n";
    }

    @Descriptor("show what a command does and its arguments")
    public Object help(CommandSession session, @Descriptor("the command, e.g. moryflow:key-set") String name)
            throws Exception {
        String function = name.startsWith("moryflow:") ? name.substring("moryflow:".length()) : name;
        String text = dashed(function);
        return text != null ? text : session.execute("felix:help " + name);
    }

    /** @return the help text of a dashed command of this scope, or null when there is none of that name */
    String dashed(String function) throws InvalidSyntaxException {
        ServiceReference<?>[] refs = context.getServiceReferences((String) null, "(&(osgi.command.scope=moryflow)"
                + "(osgi.command.function=" + ProviderIds.filterValue(function) + ")(" + DashedCommands.USAGE
                + "=*))");
        if (refs == null || refs.length == 0) {
            return null;
        }
        return "moryflow:" + function + " - " + refs[0].getProperty(DashedCommands.DESCRIPTION) + "\n   scope: moryflow"
                + "\n   usage: " + refs[0].getProperty(DashedCommands.USAGE) + "\n";
    }
}
