package dev.moryflow.shell.internal;

import java.util.ArrayList;
import java.util.List;

import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import dev.moryflow.chat.ModelListService;
import dev.moryflow.chat.RemoteModels;
import dev.moryflow.provider.ModelInfo;
import dev.moryflow.provider.ProviderException;

/**
 * {@code moryflow:remote-models <provider>} (which models the provider serves that its list lacks) and
 * {@code moryflow:add-models <provider> <model>…} (add them to its configuration).
 */
@Component(service = ModelListCommands.class, immediate = true)
public class ModelListCommands {

    private final ModelListService lists;
    private final DashedCommands dashed;

    @Activate
    public ModelListCommands(@Reference ModelListService lists, BundleContext context) {
        this.lists = lists;
        this.dashed = new DashedCommands(context)
                .add("remote-models", "<provider>", "ask a provider which models it serves and compare them with "
                        + "its configured list", (session, args) -> {
                    if (args.size() != 1) {
                        return "usage: moryflow:remote-models <provider>\n";
                    }
                    return remoteModels(String.valueOf(args.get(0)));
                })
                .add("add-models", "<provider> <model> [<model> …]", "add models to a provider's configured list "
                        + "(its deploy file is rewritten with them)", (session, args) -> {
                    if (args.size() < 2) {
                        return "usage: moryflow:add-models <provider> <model> [<model> …]\n";
                    }
                    List<String> ids = new ArrayList<>();
                    args.subList(1, args.size()).forEach(a -> ids.add(String.valueOf(a)));
                    return addModels(String.valueOf(args.get(0)), ids);
                });
    }

    @Deactivate
    void deactivate() {
        dashed.removeAll();
    }

    @Descriptor("ask a provider which models it serves and show those its list lacks")
    String remoteModels(String provider) {
        RemoteModels r;
        try {
            r = lists.remoteModels(provider);
        } catch (ProviderException e) {
            return "error: " + e.describe() + "\n";
        }
        StringBuilder out = new StringBuilder();
        TextTable t = new TextTable("MODEL", "IN LIST", "CONTEXT");
        for (ModelInfo m : r.remote()) {
            t.row(m.id(), r.missing().contains(m.id()) ? "no" : "yes",
                    m.contextWindow() == ModelInfo.UNKNOWN ? "?" : m.contextWindow());
        }
        out.append(r.remote().isEmpty() ? "Provider " + provider + " lists no models.\n" : t.toString());
        if (!r.gone().isEmpty()) {
            out.append("Configured but not served (renamed or retired?): ").append(String.join(", ", r.gone()))
                    .append('\n');
        }
        if (r.missing().isEmpty()) {
            out.append("Every model the provider serves is in its list.\n");
        } else {
            out.append(r.missing().size()).append(" not in the list; add them with `moryflow:add-models ")
                    .append(provider).append(' ').append(String.join(" ", r.missing().subList(0,
                            Math.min(3, r.missing().size())))).append(r.missing().size() > 3 ? " …" : "")
                    .append("`\n");
        }
        return out.toString();
    }

    @Descriptor("add models to a provider's configured list")
    String addModels(String provider, List<String> ids) {
        try {
            List<String> added = lists.addModels(provider, ids);
            return added.isEmpty() ? "Nothing to add: provider " + provider + " already lists " + ids + ".\n"
                    : "Added to provider " + provider + ": " + String.join(", ", added) + ".\n";
        } catch (ProviderException e) {
            return "error: " + e.describe() + "\n";
        }
    }
}
