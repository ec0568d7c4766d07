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
 * {@code moryflow} first, so a plain {@code help} is this one. In a shell without {@code felix:help} (Karaf) it
 * lists the commands registered as services and describes this scope's from their {@link Descriptor}s.
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
    public void help(CommandSession session) throws Exception {
        // felix:help leaves out the commands that have no method of their name: the dashed ones
        java.util.SortedSet<String> names = new java.util.TreeSet<>();
        if (felixHelp()) {
            Object listed = session.execute("felix:help");
            if (listed != null) {
                for (String line : String.valueOf(listed).split("\\R")) {
                    if (!line.isBlank()) {
                        names.add(line.trim());
                    }
                }
            }
        }
        // without Felix's gogo.command (Karaf): the commands registered as services, of every scope
        String filter = felixHelp() ? "(&(osgi.command.scope=moryflow)(" + DashedCommands.USAGE + "=*))"
                : "(&(osgi.command.scope=*)(osgi.command.function=*))";
        ServiceReference<?>[] refs = context.getServiceReferences((String) null, filter);
        for (ServiceReference<?> r : refs == null ? new ServiceReference<?>[0] : refs) {
            Object functions = r.getProperty("osgi.command.function");
            for (Object f : functions instanceof String[] a ? a : new Object[] { functions }) {
                names.add(r.getProperty("osgi.command.scope") + ":" + f);
            }
        }
        Printed.print(String.join("\n", names) + "\n");
    }

    @Descriptor("show what a command does and its arguments")
    public void help(CommandSession session, @Descriptor("the command, e.g. moryflow:key-set") String name)
            throws Exception {
        String function = name.startsWith("moryflow:") ? name.substring("moryflow:".length()) : name;
        String text = dashed(function);
        if (text == null && !felixHelp()) {
            text = described(function);
        }
        if (text != null) {
            Printed.print(text);
            return;
        }
        Object answer = session.execute("felix:help " + name);
        Printed.print(answer instanceof CharSequence || answer == null ? answer : session.format(answer, 0));
    }

    /** @return whether Felix's {@code felix:help} is there (the Felix distribution; not in Karaf) */
    private boolean felixHelp() throws InvalidSyntaxException {
        ServiceReference<?>[] refs = context.getServiceReferences((String) null,
                "(&(osgi.command.scope=felix)(osgi.command.function=help))");
        return refs != null && refs.length > 0;
    }

    /**
     * @return the help text of a command of this scope that is a method, from its {@link Descriptor}s, or null when
     *         there is none of that name (for a shell without {@code felix:help})
     */
    String described(String function) throws InvalidSyntaxException {
        ServiceReference<?>[] refs = context.getServiceReferences((String) null, "(&(osgi.command.scope=moryflow)"
                + "(osgi.command.function=" + ProviderIds.filterValue(function) + "))");
        if (refs == null || refs.length == 0) {
            return null;
        }
        Object service = context.getService(refs[0]);
        try {
            if (service == null) {
                return null;
            }
            StringBuilder out = new StringBuilder();
            for (java.lang.reflect.Method m : service.getClass().getMethods()) {
                if (!m.getName().equals(function)) {
                    continue;
                }
                Descriptor what = m.getAnnotation(Descriptor.class);
                out.append("moryflow:").append(function).append(" - ").append(what == null ? "" : what.value())
                        .append("\n   scope: moryflow\n");
                StringBuilder params = new StringBuilder();
                for (java.lang.reflect.Parameter p : m.getParameters()) {
                    if (CommandSession.class.isAssignableFrom(p.getType())) {
                        continue;
                    }
                    org.apache.felix.service.command.Parameter option =
                            p.getAnnotation(org.apache.felix.service.command.Parameter.class);
                    Descriptor about = p.getAnnotation(Descriptor.class);
                    params.append("      ").append(option != null ? String.join(", ", option.names())
                            : p.getType().getSimpleName()).append("   ").append(about == null ? "" : about.value())
                            .append('\n');
                }
                if (params.length() > 0) {
                    out.append("   parameters:\n").append(params);
                }
            }
            return out.length() == 0 ? null : out.toString();
        } finally {
            context.ungetService(refs[0]);
        }
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
