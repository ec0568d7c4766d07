package dev.moryflow.webconsole.internal;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

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

import dev.moryflow.credentials.CredentialStore;
import dev.moryflow.provider.ModelInfo;
import dev.moryflow.provider.Preset;
import dev.moryflow.provider.PresetCatalog;
import dev.moryflow.provider.ProviderService;
import dev.moryflow.webconsole.internal.Page.Notice;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The Web Console plugin "Model Management" at {@code /system/console/moryflow}: every provider, preset or custom,
 * with its status, key state and models; per provider Set key, Rotate key, Delete key, Confirm move and Remove; and
 * Add Provider. A GET only shows; every change is a POST carrying the page's {@link FormToken}. Keys go into the
 * credential store and never come back out: no page or answer holds one.
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
    private static final String NOTICE = ModelManagementPlugin.class.getName() + ".notice";
    private static final String FORM = ModelManagementPlugin.class.getName() + ".form";
    private static final String KEY_DROPPED = ModelManagementPlugin.class.getName() + ".keyDropped";
    /** How long an answer waits for a provider to come or go after its configuration changed. */
    private static final long SETTLE_MS = 3000;

    private final transient ProviderActions actions;
    private final transient CredentialStore credentials;
    private final transient FormToken token = new FormToken(new SecureRandom());

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile List<ProviderService> providers = List.of();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile PresetCatalog presets;

    @Activate
    public ModelManagementPlugin(@Reference ConfigurationAdmin configAdmin, @Reference CredentialStore credentials) {
        this.credentials = credentials;
        this.actions = new ProviderActions(configAdmin, credentials);
    }

    @Override
    public void renderContent(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        setNoCache(resp);
        NewProvider form = (NewProvider) req.getAttribute(FORM);
        Page page = new Page(pluginRoot(req), token.value());
        resp.getWriter().print(page.render(rows(), form == null ? NewProvider.empty() : form,
                Boolean.TRUE.equals(req.getAttribute(KEY_DROPPED)), (Notice) req.getAttribute(NOTICE)));
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
        String rawKey = req.getParameter(NewProvider.API_KEY);
        char[] key = rawKey == null || rawKey.isBlank() ? null : rawKey.trim().toCharArray();
        try {
            Notice notice;
            switch (action) {
                case "add-provider" -> notice = add(req, key);
                case "set-key", "rotate-key" -> notice = known(id) ? actions.storeKey(id, key,
                        action.equals("rotate-key")) : unknown(id);
                case "delete-key" -> notice = known(id) ? actions.deleteKey(id) : unknown(id);
                case "confirm-move" -> notice = known(id) ? actions.confirmMove(id) : unknown(id);
                case "remove" -> {
                    notice = actions.remove(String.valueOf(id));
                    if (!notice.error()) {
                        settle(id, false);
                    }
                }
                default -> notice = Notice.error("Unknown action " + action + ".");
            }
            req.setAttribute(NOTICE, notice);
        } finally {
            if (key != null) {
                Arrays.fill(key, '\0');
            }
        }
    }

    private Notice add(HttpServletRequest req, char[] key) throws IOException {
        Map<String, String> values = new HashMap<>();
        for (String f : new String[] { NewProvider.ID, NewProvider.NAME, NewProvider.BASE_URL, NewProvider.MODELS }) {
            values.put(f, req.getParameter(f));
        }
        NewProvider form = NewProvider.check(values, id -> {
            try {
                return actions.find(id).isPresent();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        if (!form.valid()) {
            req.setAttribute(FORM, form);
            req.setAttribute(KEY_DROPPED, key != null);
            return Notice.error("Provider not added: " + String.join("; ", form.errors().keySet().stream()
                    .map(f -> f + " (see beside the field)").toList()) + ".");
        }
        Notice n = actions.add(form, key);
        if (!n.error()) {
            settle(form.id(), true);
        }
        return n;
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
     * Waits (a few seconds at most) until a provider whose configuration was just written or deleted is registered
     * or gone, so that the page shown next tells how it came out. Only this request waits.
     */
    private void settle(String id, boolean present) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETTLE_MS);
        while (providers.stream().anyMatch(p -> id.equals(p.info().id())) != present && System.nanoTime() < end) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
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
        return new ProviderRows(credentials::metadata,
                id -> catalog == null ? Optional.<Preset>empty() : catalog.preset(id), Instant.now())
                .rows(registered, configs, models);
    }

    private static String pluginRoot(HttpServletRequest req) {
        Object root = req.getAttribute(ServletConstants.ATTR_PLUGIN_ROOT);
        return root instanceof String s ? s : req.getContextPath() + req.getServletPath() + "/" + LABEL;
    }
}
