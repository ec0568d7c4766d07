package dev.moryflow.webconsole.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.apache.felix.webconsole.servlet.AbstractServlet;
import org.apache.felix.webconsole.servlet.ServletConstants;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import dev.moryflow.chat.ModelListService;
import dev.moryflow.chat.RemoteModels;
import dev.moryflow.config.CheckedForm;
import dev.moryflow.config.ModelForm;
import dev.moryflow.config.ProviderForm;
import dev.moryflow.credentials.CredentialStore;
import dev.moryflow.provider.Diagnosis;
import dev.moryflow.provider.ModelInfo;
import dev.moryflow.provider.Preset;
import dev.moryflow.provider.PresetCatalog;
import dev.moryflow.provider.ProviderDoctor;
import dev.moryflow.provider.ProviderException;
import dev.moryflow.provider.ProviderService;
import dev.moryflow.webconsole.internal.Page.Notice;
import dev.moryflow.webconsole.internal.Page.View;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The Web Console plugin "Model Management" at {@code /system/console/moryflow}: every provider, preset or custom,
 * with its status, key state and models; per provider Set key, Rotate key, Delete key, Confirm move, Test (the
 * doctor's report), Fetch models (the remote list, to add chosen ones) and Remove; Add Provider and Add Model. A GET
 * only shows; every change is a POST carrying the page's {@link FormToken}. Keys go into the credential store and
 * never come back out: no page or answer holds one. Test and Fetch models are offered while the doctor and the
 * chat bundle's model list service run.
 */
@Component(service = Servlet.class, property = {
        ServletConstants.PLUGIN_LABEL + "=" + ModelManagementPlugin.LABEL,
        ServletConstants.PLUGIN_TITLE + "=" + ModelManagementPlugin.TITLE,
        ServletConstants.PLUGIN_CATEGORY + "=" + ModelManagementPlugin.CATEGORY,
        ServletConstants.PLUGIN_CSS_REFERENCES + "=/" + ModelManagementPlugin.LABEL + "/res/moryflow/plugin.css" })
public class ModelManagementPlugin extends AbstractServlet {

    private static final long serialVersionUID = 1L;
    static final String LABEL = "moryflow";
    static final String TITLE = "Model Management";
    static final String CATEGORY = "MoryFlow";
    /** The form field of a key (Add Provider, Set key, Rotate key). */
    static final String API_KEY = "apiKey";
    private static final String VIEW = ModelManagementPlugin.class.getName() + ".view";
    /** How long an answer waits for a provider to come, change or go after its configuration changed. */
    private static final long SETTLE_MS = 3000;

    private final transient ProviderActions actions;
    private final transient CredentialStore credentials;
    private final transient FormToken token = new FormToken(new SecureRandom());
    private final transient List<ProviderService> providers = new CopyOnWriteArrayList<>();
    /** Notified whenever a provider comes, changes or goes. */
    private final transient Object providersChanged = new Object();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile PresetCatalog presets;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile ProviderDoctor doctor;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile ModelListService modelLists;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile LastProblems problems;

    /** Each provider's health and the routes, when the chat bundle runs. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile dev.moryflow.chat.ChatService chat;

    @Activate
    public ModelManagementPlugin(@Reference ConfigurationAdmin configAdmin, @Reference CredentialStore credentials) {
        this.credentials = credentials;
        this.actions = new ProviderActions(configAdmin, credentials);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, updated = "providerChanged")
    void bindProvider(ProviderService p) {
        providers.add(p);
        providerChanged(p);
    }

    void unbindProvider(ProviderService p) {
        providers.remove(p);
        providerChanged(p);
    }

    void providerChanged(ProviderService p) {
        synchronized (providersChanged) {
            providersChanged.notifyAll();
        }
    }

    @Override
    public void renderContent(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        setNoCache(resp);
        View view = (View) req.getAttribute(VIEW);
        Page page = new Page(pluginRoot(req), token.value());
        resp.getWriter().print(page.render(rows(), view != null ? view : View.plain(doctor != null,
                modelLists != null)));
        dev.moryflow.chat.ChatService c = chat;
        if (c != null) {
            resp.getWriter().print(Page.routes(c.routes()));
        }
    }

    /**
     * Performs the form's action and leaves the answer to the Web Console, which then renders the page (with the
     * notice) because this method sets no status. A POST without the page's token is refused with 403.
     */
    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (!token.matches(req.getParameter(FormToken.FIELD))) {
            resp.setStatus(HttpServletResponse.SC_FORBIDDEN);
            resp.setContentType("text/plain;charset=utf-8");
            resp.getWriter().println("refused: this form has no valid token (it is from an older start of the hub, "
                    + "or from another site). Open Model Management again and repeat the change.");
            return;
        }
        String action = String.valueOf(req.getParameter("action"));
        String id = req.getParameter("id");
        String rawKey = req.getParameter(API_KEY);
        char[] key = rawKey == null || rawKey.isBlank() ? null : rawKey.trim().toCharArray();
        ProviderDoctor d = doctor;
        ModelListService lists = modelLists;
        View view = View.plain(d != null, lists != null);
        try {
            switch (action) {
                case "add-provider" -> view = add(req, key, view);
                case "add-model" -> view = addModel(req, view);
                case "set-key", "rotate-key" -> view = notice(view, known(id) ? actions.storeKey(id, key,
                        action.equals("rotate-key")) : unknown(id));
                case "delete-key" -> view = notice(view, known(id) ? actions.deleteKey(id) : unknown(id));
                case "confirm-move" -> view = notice(view, known(id) ? actions.confirmMove(id) : unknown(id));
                case "test" -> view = d == null ? notice(view, Notice.error("Test needs the doctor bundle "
                        + "(moryflow-doctor), which is not running.")) : report(view, d.diagnose(id, null));
                case "fetch-models" -> view = fetch(lists, id, view);
                case "add-models" -> view = addModels(lists, id, req.getParameterValues("model"), view);
                case "remove" -> {
                    Notice n = actions.remove(String.valueOf(id));
                    if (!n.error()) {
                        awaitProviders(all -> all.stream().noneMatch(p -> id.equals(p.info().id())));
                    }
                    view = notice(view, n);
                }
                default -> view = notice(view, Notice.error("Unknown action " + action + "."));
            }
            req.setAttribute(VIEW, view);
        } finally {
            if (key != null) {
                Arrays.fill(key, '\0');
            }
        }
    }

    private View add(HttpServletRequest req, char[] key, View view) throws IOException {
        Map<String, Object> values = new HashMap<>();
        for (String f : new String[] { ProviderForm.ID, ProviderForm.NAME, ProviderForm.BASE_URL, ProviderForm.MODELS,
            ProviderForm.DIALECT, ProviderForm.API_VERSION, ProviderForm.HEADERS, ProviderForm.TIMEOUT_SECONDS,
            ProviderForm.ALLOW_INSECURE }) {
            String v = req.getParameter(f);
            if (v != null) {
                values.put(f, v);
            }
        }
        CheckedForm form = ProviderForm.check(values, this::exists);
        if (!form.valid()) {
            return new View(form, key != null, view.model(), Notice.error("Provider not added: "
                    + seeBeside(form) + "."), null, null, view.canTest(), view.canFetch());
        }
        Notice n = actions.add(form, key);
        if (!n.error()) {
            String id = form.value(ProviderForm.ID);
            awaitProviders(all -> all.stream().anyMatch(p -> id.equals(p.info().id())));
        }
        return notice(view, n);
    }

    private View addModel(HttpServletRequest req, View view) throws IOException {
        Map<String, Object> values = new HashMap<>();
        for (String f : new String[] { ModelForm.PROVIDER, ModelForm.ID, ModelForm.DISPLAY_NAME,
            ModelForm.CONTEXT_WINDOW }) {
            String v = req.getParameter(f);
            if (v != null) {
                values.put(f, v);
            }
        }
        String[] caps = req.getParameterValues(ModelForm.CAPABILITIES);
        if (caps != null) {
            values.put(ModelForm.CAPABILITIES, caps);
        }
        CheckedForm form = ModelForm.check(values);
        if (!form.valid()) {
            return new View(view.provider(), false, form, Notice.error("Model not added: " + seeBeside(form) + "."),
                    null, null, view.canTest(), view.canFetch());
        }
        String provider = form.value(ModelForm.PROVIDER);
        if (!known(provider)) {
            return notice(view, unknown(provider));
        }
        Notice n = actions.addModel(form);
        return n.error() ? new View(view.provider(), false, form, n, null, null, view.canTest(), view.canFetch())
                : notice(view, n);
    }

    private static View report(View v, Diagnosis d) {
        return new View(v.provider(), false, v.model(), d.ok() ? Notice.ok("Provider " + d.providerId()
                + " works: every step passed.") : Notice.error("Provider " + d.providerId() + " failed its test: "
                        + d.firstFailure().map(f -> f.name() + ", " + f.cause()).orElse("see the report") + "."),
                d, null, v.canTest(), v.canFetch());
    }

    private View fetch(ModelListService lists, String id, View v) {
        if (lists == null) {
            return notice(v, Notice.error("Fetch models needs the chat bundle (moryflow-chat), which is not running."));
        }
        try {
            RemoteModels r = lists.remoteModels(String.valueOf(id));
            return new View(v.provider(), false, v.model(), Notice.ok("Provider " + id + " serves " + r.remote().size()
                    + (r.remote().size() == 1 ? " model, " : " models, ") + r.missing().size()
                    + " not in its list: choose those to add."), null, r, v.canTest(), v.canFetch());
        } catch (ProviderException e) {
            return notice(v, Notice.error("The models of provider " + id + " could not be fetched: " + e.describe()));
        }
    }

    private View addModels(ModelListService lists, String id, String[] chosen, View v) {
        if (lists == null) {
            return notice(v, Notice.error("Adding models needs the chat bundle (moryflow-chat), which is not running."));
        }
        if (chosen == null || chosen.length == 0) {
            return notice(v, Notice.error("No model chosen: tick the models to add, then Add chosen models."));
        }
        try {
            List<String> added = lists.addModels(String.valueOf(id), Arrays.asList(chosen));
            if (added.isEmpty()) {
                return notice(v, Notice.ok("Nothing to add: provider " + id + " already lists "
                        + String.join(", ", chosen) + "."));
            }
            awaitProviders(all -> all.stream().anyMatch(p -> id.equals(p.info().id())
                    && p.models().stream().map(ModelInfo::id).toList().containsAll(added)));
            return notice(v, Notice.ok("Added to provider " + id + ": " + String.join(", ", added) + "."));
        } catch (ProviderException e) {
            return notice(v, Notice.error("No model was added to provider " + id + ": " + e.describe()));
        }
    }

    private static View notice(View v, Notice n) {
        return new View(v.provider(), v.keyDropped(), v.model(), n, v.report(), v.remote(), v.canTest(),
                v.canFetch());
    }

    private static String seeBeside(CheckedForm form) {
        return String.join("; ", form.errors().keySet().stream().map(f -> f + " (see beside the field)").toList());
    }

    private boolean exists(String id) {
        try {
            return actions.find(id).isPresent();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean known(String id) {
        try {
            return id != null && actions.find(id).isPresent();
        } catch (IOException e) {
            return false;
        }
    }

    private static Notice unknown(String id) {
        return Notice.error("There is no provider configuration " + id + ".");
    }

    /**
     * Waits (a few seconds at most) until the registered providers are as a change just made should leave them,
     * so that the page shown next tells how it came out. Woken by every provider that comes, changes or goes; only
     * this request waits.
     */
    private void awaitProviders(Predicate<List<ProviderService>> settled) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETTLE_MS);
        synchronized (providersChanged) {
            long left;
            while (!settled.test(providers) && (left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())) > 0) {
                try {
                    providersChanged.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private List<ProviderRow> rows() throws IOException {
        List<ProviderRows.Registered> registered = new ArrayList<>();
        for (ProviderService s : providers) {
            List<String> models = new ArrayList<>();
            for (ModelInfo m : s.models()) {
                models.add(m.id());
            }
            registered.add(new ProviderRows.Registered(s.info(), models));
        }
        List<ConfigView> configs = new ArrayList<>();
        for (Configuration c : actions.providerConfigurations()) {
            configs.add(ConfigView.of(c));
        }
        List<ConfigView> models = new ArrayList<>();
        for (Configuration c : actions.modelConfigurations(null)) {
            models.add(ConfigView.of(c));
        }
        PresetCatalog catalog = presets;
        List<ProviderRow> rows = new ProviderRows(credentials::metadata,
                id -> catalog == null ? Optional.<Preset>empty() : catalog.preset(id), Instant.now(),
                id -> problems == null ? Optional.<String>empty() : problems.of(id))
                .rows(registered, configs, models);
        dev.moryflow.chat.ChatService c = chat;
        if (c == null) {
            return rows;
        }
        // health is known of registered providers only (a configuration refused or disabled has none)
        java.util.Set<String> registeredIds = new java.util.HashSet<>();
        registered.forEach(r -> registeredIds.add(r.info().id()));
        List<ProviderRow> withHealth = new ArrayList<>();
        for (ProviderRow r : rows) {
            withHealth.add(registeredIds.contains(r.id()) ? r.withHealth(c.health(r.id())) : r);
        }
        return withHealth;
    }

    private static String pluginRoot(HttpServletRequest req) {
        Object root = req.getAttribute(ServletConstants.ATTR_PLUGIN_ROOT);
        return root instanceof String s ? s : req.getContextPath() + req.getServletPath() + "/" + LABEL;
    }
}
