package dev.moryflow.shell.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import dev.moryflow.config.CheckedForm;
import dev.moryflow.config.ModelForm;
import dev.moryflow.config.ProviderForm;
import dev.moryflow.credentials.CredentialStore;
import dev.moryflow.provider.ProviderIds;

/**
 * What the Web Console's Model Management does with providers and model entries, as Gogo commands:
 * {@code moryflow:provider-add}, {@code moryflow:provider-remove}, {@code moryflow:model-add} and
 * {@code moryflow:model-remove}. They write Config Admin configurations and nothing else, check what they write
 * with the same {@link ProviderForm} and {@link ModelForm} as the console (the words of the log), and answer one
 * line a script can test: it starts with {@code Added}, {@code Removed}, {@code error:} or {@code usage:}. Keys are
 * never taken on the command line: {@code moryflow:key-set} asks for them.
 */
@Component(service = ProviderCommands.class, immediate = true)
public class ProviderCommands {

    /** Options whose value may be given more than once (each a line of headers, each a capability tag). */
    private static final Set<String> REPEATABLE = Set.of("header", ProviderForm.HEADERS, ModelForm.CAPABILITIES);

    private final ConfigurationAdmin configAdmin;
    private final CredentialStore store;
    private final DashedCommands dashed;

    @Activate
    public ProviderCommands(@Reference ConfigurationAdmin configAdmin, @Reference CredentialStore store,
            BundleContext context) {
        this.configAdmin = configAdmin;
        this.store = store;
        this.dashed = new DashedCommands(context)
                .add("provider-add", "<id> <baseUrl> [name=<name>] [models=<a,b>] [header=\"<Name: value>\"]… "
                        + "[dialect=openai|azure] [apiVersion=<version>] [timeoutSeconds=<n>] [allowInsecure=true]",
                        "add an OpenAI-compatible provider (configuration moryflow.provider.openai~<id>); then store "
                                + "its key with moryflow:key-set <id> and try it with moryflow:test <id>",
                        (session, args) -> providerAdd(args))
                .add("provider-remove", "<id>", "remove a provider: its configuration, its stored key and the "
                        + "model entries naming it", (session, args) -> args.size() == 1
                                ? providerRemove(String.valueOf(args.get(0)))
                                : "usage: moryflow:provider-remove <id>\n")
                .add("model-add", "<provider> <model> [displayName=<name>] [contextWindow=<tokens>] "
                        + "[maxOutputTokens=<tokens>] [capabilities=<chat,vision,…>]", "describe a model of a "
                                + "provider (a moryflow.model configuration); a model the provider does not list "
                                + "is added to it", (session, args) -> modelAdd(args))
                .add("model-remove", "<provider> <model>", "remove the model entry of a model, and the model from "
                        + "the provider's configured list", (session, args) -> args.size() == 2
                                ? modelRemove(String.valueOf(args.get(0)), String.valueOf(args.get(1)))
                                : "usage: moryflow:model-remove <provider> <model>\n");
    }

    @Deactivate
    void deactivate() {
        dashed.removeAll();
    }

    String providerAdd(List<Object> args) throws IOException {
        if (args.size() < 2) {
            return "usage: moryflow:provider-add <id> <baseUrl> [name=<name>] [models=<a,b>] … "
                    + "(help moryflow:provider-add)\n";
        }
        Map<String, Object> form = options(args.subList(2, args.size()));
        if (form.containsKey("apiKey")) {
            return "error: apiKey: a key is never given on the command line (it would stay in the history); add the "
                    + "provider without it, then run moryflow:key-set " + args.get(0) + "\n";
        }
        Object headers = form.remove("header");
        if (headers != null) {
            form.put(ProviderForm.HEADERS, headers);
        }
        form.put(ProviderForm.ID, String.valueOf(args.get(0)));
        form.put(ProviderForm.BASE_URL, String.valueOf(args.get(1)));
        form.putIfAbsent(ProviderForm.NAME, String.valueOf(args.get(0)));
        CheckedForm checked = ProviderForm.check(form, id -> {
            try {
                return provider(id).isPresent();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        if (!checked.valid()) {
            return errors(checked);
        }
        String id = checked.value(ProviderForm.ID);
        configAdmin.getFactoryConfiguration(ProviderForm.FACTORY_PID, id, "?").update(checked.properties());
        return "Added provider " + id + ": configuration " + ProviderForm.FACTORY_PID + "~" + id + ". Store its key "
                + "with moryflow:key-set " + id + " (if it needs one), then try it with moryflow:test " + id + ".\n";
    }

    String providerRemove(String id) throws IOException {
        Optional<Configuration> config = provider(id);
        if (config.isEmpty()) {
            return "error: there is no provider configuration " + id + "; moryflow:providers lists them\n";
        }
        List<String> gone = new ArrayList<>();
        gone.add("its configuration " + config.get().getPid());
        if (store.metadata(id).isPresent()) {
            gone.add("its key");
        }
        List<String> entries = new ArrayList<>();
        for (Configuration m : entries(id, null)) {
            entries.add(String.valueOf(m.getProperties().get(ModelForm.ID)));
            m.delete();
        }
        if (!entries.isEmpty()) {
            gone.add("its model entries " + String.join(", ", entries));
        }
        config.get().delete(); // the credentials bundle deletes the key that belongs to it
        return "Removed provider " + id + ": " + String.join(", ", gone) + ".\n";
    }

    String modelAdd(List<Object> args) throws IOException {
        if (args.size() < 2) {
            return "usage: moryflow:model-add <provider> <model> [displayName=<name>] [contextWindow=<tokens>] "
                    + "[capabilities=<chat,vision,…>] (help moryflow:model-add)\n";
        }
        Map<String, Object> form = options(args.subList(2, args.size()));
        form.put(ModelForm.PROVIDER, String.valueOf(args.get(0)));
        form.put(ModelForm.ID, String.valueOf(args.get(1)));
        CheckedForm checked = ModelForm.check(form);
        if (!checked.valid()) {
            return errors(checked);
        }
        String provider = checked.value(ModelForm.PROVIDER);
        String model = checked.value(ModelForm.ID);
        if (provider(provider).isEmpty()) {
            return "error: provider: there is no provider " + provider + "; moryflow:providers lists them\n";
        }
        Configuration[] existing = entries(provider, model);
        if (existing.length > 0) {
            return "error: id: the model entry " + provider + "/" + model + " exists already (configuration "
                    + existing[0].getPid() + "); remove it with moryflow:model-remove " + provider + " " + model
                    + " first\n";
        }
        Configuration made = configAdmin.createFactoryConfiguration(ModelForm.FACTORY_PID, "?");
        made.update(checked.properties());
        return "Added model " + provider + "/" + model + ": configuration " + made.getPid() + ".\n";
    }

    String modelRemove(String provider, String model) throws IOException {
        List<String> gone = new ArrayList<>();
        for (Configuration m : entries(provider, model)) {
            gone.add("its model entry " + m.getPid());
            m.delete();
        }
        Optional<Configuration> config = provider(provider);
        if (config.isPresent() && config.get().getProperties() != null) {
            Object listed = config.get().getProperties().get(ProviderForm.MODELS);
            List<String> models = listed instanceof String[] a ? new ArrayList<>(Arrays.asList(a))
                    : listed == null ? new ArrayList<>()
                            : new ArrayList<>(Arrays.asList(String.valueOf(listed).split("\\s*,\\s*")));
            if (models.remove(model)) {
                java.util.Dictionary<String, Object> p = config.get().getProperties();
                p.put(ProviderForm.MODELS, models.toArray(String[]::new));
                config.get().update(p);
                gone.add("its place in the model list of provider " + provider);
            }
        }
        if (gone.isEmpty()) {
            return "error: provider " + provider + " has neither a model entry nor a configured model " + model
                    + "; moryflow:models lists them\n";
        }
        return "Removed model " + provider + "/" + model + ": " + String.join(", ", gone) + ".\n";
    }

    /** @return {@code name=value} arguments by name; a repeatable one as a list of its values */
    static Map<String, Object> options(List<Object> args) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Object a : args) {
            String s = String.valueOf(a);
            int eq = s.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("'" + s + "' is not name=value: quote a value with spaces, for "
                        + "example name=\"My AI\"");
            }
            String name = s.substring(0, eq).trim();
            String value = s.substring(eq + 1).trim();
            if (REPEATABLE.contains(name)) {
                @SuppressWarnings("unchecked")
                List<String> values = (List<String>) out.computeIfAbsent(name, n -> new ArrayList<String>());
                values.add(value);
            } else {
                out.put(name, value);
            }
        }
        return out;
    }

    /** @return one {@code error: <field>: <message>} line per wrong field */
    static String errors(CheckedForm form) {
        StringBuilder s = new StringBuilder();
        form.errors().forEach((field, message) -> s.append("error: ").append(field).append(": ").append(message)
                .append('\n'));
        return s.toString();
    }

    private Optional<Configuration> provider(String id) throws IOException {
        if (!ProviderIds.isValid(id)) {
            return Optional.empty();
        }
        return Arrays.stream(list("(service.pid=" + ProviderIds.FACTORY_PREFIX + "*~" + ProviderIds.filterValue(id)
                + ")")).filter(c -> id.equals(ProviderIds.of(c.getPid()))).findFirst();
    }

    private Configuration[] entries(String provider, String model) throws IOException {
        return list("(&(service.factoryPid=" + ModelForm.FACTORY_PID + ")(" + ModelForm.PROVIDER + "="
                + ProviderIds.filterValue(provider) + ")" + (model == null ? "" : "(" + ModelForm.ID + "="
                        + ProviderIds.filterValue(model) + ")") + ")");
    }

    private Configuration[] list(String filter) throws IOException {
        try {
            Configuration[] c = configAdmin.listConfigurations(filter);
            return c == null ? new Configuration[0] : c;
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("not a usable id: " + filter, e);
        }
    }
}
