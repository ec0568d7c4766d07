package dev.moryflow.webconsole.internal;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

import dev.moryflow.chat.RemoteModels;
import dev.moryflow.config.CheckedForm;
import dev.moryflow.config.ModelForm;
import dev.moryflow.config.ProviderForm;
import dev.moryflow.provider.Capability;
import dev.moryflow.provider.Diagnosis;
import dev.moryflow.provider.DiagnosisStep;
import dev.moryflow.provider.ModelInfo;
import dev.moryflow.provider.ProviderIds;

/**
 * The plugin's page in the Web Console's own look (its {@code statline}, {@code nicetable}, {@code buttonGroup}
 * header and jQuery UI buttons): the status line, what the last action answered (a notice, a test report, a remote
 * model list to choose from), the Providers table with each provider's actions, and the Add Provider and Add Model
 * forms. Everything shown is escaped; no key is ever given to it.
 */
final class Page {

    /** What the last action did, or why it failed. */
    record Notice(String message, String fingerprint, boolean error) {
        static Notice ok(String message) {
            return new Notice(message, null, false);
        }

        static Notice ok(String message, String fingerprint) {
            return new Notice(message, fingerprint, false);
        }

        static Notice error(String message) {
            return new Notice(message, null, true);
        }
    }

    /**
     * What one answer shows besides the table.
     *
     * @param provider   the Add Provider form as the user left it (empty, or with errors)
     * @param keyDropped whether that form came with a key that was not kept (it must be typed again)
     * @param model      the Add Model form as the user left it
     * @param notice     what the last action did, or null
     * @param report     the doctor's report of a Test, or null
     * @param remote     the remote model list of a Fetch models, or null
     * @param canTest    whether the doctor is running (Test is offered)
     * @param canFetch   whether the model list service is running (Fetch models is offered)
     */
    record View(CheckedForm provider, boolean keyDropped, CheckedForm model, Notice notice, Diagnosis report,
            RemoteModels remote, boolean canTest, boolean canFetch) {

        /** @return a first showing: empty forms, nothing answered */
        static View plain(boolean canTest, boolean canFetch) {
            return new View(CheckedForm.empty(), false, CheckedForm.empty(), null, null, null, canTest, canFetch);
        }
    }

    private final String pluginRoot;
    private final String token;

    /**
     * @param pluginRoot the plugin's path ({@code /system/console/moryflow}), where its forms post to
     * @param token      the form token
     */
    Page(String pluginRoot, String token) {
        this.pluginRoot = pluginRoot;
        this.token = token;
    }

    /**
     * @param rows the providers
     * @param view the forms and what the last action answered
     * @return the page's content
     */
    String render(List<ProviderRow> rows, View view) {
        StringBuilder h = new StringBuilder(16 * 1024);
        Notice notice = view.notice();
        if (notice != null) {
            h.append("<p id='notice' class='statline ").append(notice.error() ? "ui-state-error" : "ui-state-highlight")
                    .append("'>").append(esc(notice.message()));
            if (notice.fingerprint() != null) {
                h.append(" <span class='fingerprint'>").append(esc(notice.fingerprint())).append("</span>");
            }
            h.append("</p>\n");
        }
        if (view.report() != null) {
            report(h, view.report());
        }
        if (view.remote() != null) {
            remote(h, view.remote());
        }
        h.append("<p class='statline'>").append(esc(summary(rows))).append("</p>\n");
        providers(h, rows, view);
        addForm(h, view.provider(), view.keyDropped());
        modelForm(h, rows, view.model());
        h.append("<script src='").append(esc(pluginRoot)).append("/res/moryflow/plugin.js'></script>\n");
        return h.toString();
    }

    static String summary(List<ProviderRow> rows) {
        long ready = rows.stream().filter(r -> r.status().startsWith("ready")).count();
        long needKey = rows.stream().filter(r -> r.status().startsWith("needs key")).count();
        long held = rows.stream().filter(ProviderRow::held).count();
        long refused = rows.stream().filter(r -> r.status().startsWith("refused")).count();
        long disabled = rows.stream().filter(r -> r.status().equals("disabled")).count();
        StringBuilder s = new StringBuilder();
        s.append(rows.size()).append(rows.size() == 1 ? " provider: " : " providers: ").append(ready).append(" ready");
        if (needKey > 0) {
            s.append(", ").append(needKey).append(needKey == 1 ? " needs a key" : " need a key");
        }
        if (held > 0) {
            s.append(", ").append(held).append(" with a held key");
        }
        if (refused > 0) {
            s.append(", ").append(refused).append(" refused");
        }
        if (disabled > 0) {
            s.append(", ").append(disabled).append(" disabled");
        }
        return s.append('.').toString();
    }

    /** The Routes table: each alias, its targets in the order tried, and whether it is routable (or why not). */
    static String routes(List<dev.moryflow.chat.RouteDefinition> routes) {
        StringBuilder h = new StringBuilder();
        h.append("<div class='ui-widget-header ui-corner-top buttonGroup'>Routes</div>\n");
        h.append("<table id='routes' class='nicetable'>\n<thead><tr><th>Alias</th><th>Targets (in order)</th>"
                + "<th>Retry on</th><th>Status</th><th>Configuration</th></tr></thead>\n<tbody>\n");
        for (dev.moryflow.chat.RouteDefinition r : routes) {
            h.append("<tr id='route-").append(esc(r.alias())).append("' class='route ui-state-default level-")
                    .append(r.routable() ? "ok" : "error").append("'><td><code>").append(esc(r.alias()))
                    .append("</code></td><td>").append(esc(String.join(", ", r.targets()))).append("</td><td>")
                    .append(esc(String.join(", ", new java.util.TreeSet<>(r.retryOn())))).append("</td><td>")
                    .append("<span class='mf-status mf-").append(r.routable() ? "ok" : "error").append("'>")
                    .append(esc(r.routable() ? "routable" : "refused: " + r.refused())).append("</span></td><td>")
                    .append(esc(String.valueOf(r.configuration()))).append("</td></tr>\n");
        }
        if (routes.isEmpty()) {
            h.append("<tr><td colspan='5'>No routes: drop a moryflow.route-&lt;alias&gt;.cfg file with "
                    + "targets=&lt;provider/model&gt;,… into deploy/, or add a Route configuration.</td></tr>\n");
        }
        return h.append("</tbody></table>\n").toString();
    }

    private void providers(StringBuilder h, List<ProviderRow> rows, View view) {
        h.append("<div class='ui-widget-header ui-corner-top buttonGroup'>Providers</div>\n");
        h.append("<table id='providers' class='nicetable'>\n<thead><tr><th>Name</th><th>Id</th><th>Base URL</th>"
                + "<th>Status</th><th>Health</th><th>Key</th><th>Models</th><th>Actions</th></tr></thead>\n<tbody>\n");
        boolean odd = true;
        for (ProviderRow r : rows) {
            h.append("<tr id='provider-").append(esc(r.id())).append("' class='provider ")
                    .append(odd ? "odd" : "even").append(" ui-state-default level-").append(r.level()).append("'>");
            odd = !odd;
            h.append("<td class='name'>").append(esc(r.name()));
            h.append(r.preset() != null ? " <span class='mf-badge mf-preset' title='made from the preset "
                    + esc(r.preset()) + "'>preset</span>" : " <span class='mf-badge mf-custom'>custom</span>");
            h.append("</td><td class='id'><code>").append(esc(r.id())).append("</code></td>");
            h.append("<td class='url'>").append(r.baseUrl() == null ? "" : esc(r.baseUrl())).append("</td>");
            h.append("<td class='status'><span class='mf-status mf-").append(r.level()).append("'>")
                    .append(esc(r.status())).append("</span>");
            if (r.hint() != null) {
                h.append("<div class='mf-hint'>").append(esc(r.hint())).append("</div>");
            }
            if (r.file() != null) {
                h.append("<div class='mf-hint'>from ").append(esc(r.file())).append("</div>");
            }
            h.append("</td><td class='health'>");
            if (r.health() != null) {
                h.append("<span class='mf-status mf-").append(r.health().startsWith("degraded") ? "warn" : "ok")
                        .append("'>").append(esc(r.health())).append("</span>");
            }
            h.append("</td><td class='key'>").append(esc(r.key())).append("</td>");
            h.append("<td class='models'>").append(esc(String.join(", ", r.models()))).append("</td>");
            h.append("<td class='actions'>");
            actions(h, r, view);
            h.append("</td></tr>\n");
        }
        if (rows.isEmpty()) {
            h.append("<tr><td colspan='8'>No providers yet: add one below.</td></tr>\n");
        }
        h.append("</tbody></table>\n");
    }

    private void actions(StringBuilder h, ProviderRow r, View view) {
        if (r.keyable()) {
            String action = r.hasKey() ? "rotate-key" : "set-key";
            open(h, action, r.id(), null);
            h.append("<input type='password' name='apiKey' autocomplete='new-password' required='required' "
                    + "placeholder='").append(r.hasKey() ? "new API key" : "API key").append("' size='14'/> ");
            button(h, r.hasKey() ? "Rotate key" : "Set key");
            h.append("</form>");
        }
        if (r.hasKey()) {
            open(h, "delete-key", r.id(), "Delete the key of provider " + r.name() + " (" + r.id() + ")? "
                    + "It stops working until a new key is set.");
            button(h, "Delete key");
            h.append("</form>");
        }
        if (r.held()) {
            open(h, "confirm-move", r.id(), null);
            button(h, "Confirm move");
            h.append("</form>");
        }
        if (r.keyable() && view.canTest()) {
            open(h, "test", r.id(), null);
            button(h, "Test");
            h.append("</form>");
        }
        if (r.keyable() && view.canFetch()) {
            open(h, "fetch-models", r.id(), null);
            button(h, "Fetch models");
            h.append("</form>");
        }
        if (r.configuration() != null) {
            StringBuilder goes = new StringBuilder("Its configuration ").append(r.configuration());
            if (r.hasKey()) {
                goes.append(r.modelEntries() > 0 ? ", " : " and ").append("its stored key");
            }
            if (r.modelEntries() > 0) {
                goes.append(" and ").append(r.modelEntries())
                        .append(r.modelEntries() == 1 ? " model entry" : " model entries");
            }
            boolean several = r.hasKey() || r.modelEntries() > 0;
            open(h, "remove", r.id(), "Remove provider " + r.name() + " (" + r.id() + ")? " + goes
                    + (several ? " go with it." : " goes with it."));
            button(h, "Remove");
            h.append("</form>");
        }
    }

    private void open(StringBuilder h, String action, String id, String confirm) {
        h.append("<form method='post' action='").append(esc(pluginRoot)).append("' class='mf-action ")
                .append(action).append("'");
        if (confirm != null) {
            h.append(" data-confirm='").append(esc(confirm)).append("'");
        }
        h.append("><input type='hidden' name='action' value='").append(action).append("'/>")
                .append("<input type='hidden' name='id' value='").append(esc(id)).append("'/>");
        tokenField(h);
    }

    private void tokenField(StringBuilder h) {
        h.append("<input type='hidden' name='").append(FormToken.FIELD).append("' value='").append(esc(token))
                .append("'/>");
    }

    private static void button(StringBuilder h, String label) {
        h.append("<button type='submit' class='ui-button ui-widget ui-corner-all'>").append(esc(label))
                .append("</button>");
    }

    private void addForm(StringBuilder h, CheckedForm form, boolean keyDropped) {
        String first = form.errors().isEmpty() ? null : form.firstInvalid();
        h.append("<div class='ui-widget-header ui-corner-top buttonGroup' id='add-provider-title'>Add Provider</div>\n");
        h.append("<form method='post' id='add-provider' action='").append(esc(pluginRoot)).append("'>")
                .append("<input type='hidden' name='action' value='add-provider'/>");
        tokenField(h);
        h.append("\n<table class='nicetable'><tbody>\n");
        field(h, form, first, ProviderForm.NAME, "Name", "text", "Display name, for example My AI Service", null);
        field(h, form, first, ProviderForm.ID, "Provider id", "text", "Chosen once, made from the name; used in model "
                + "names (id/model) and by moryflow: commands. " + dev.moryflow.provider.ProviderIds.RULE, null);
        // text, not url: the hub checks it and says what is wrong in the words of its log
        field(h, form, first, ProviderForm.BASE_URL, "Base URL", "text", "API endpoint, for example https://api.example.com/v1",
                null);
        field(h, form, first, ModelManagementPlugin.API_KEY, "API Key", "password", "Authentication key, kept in the hub's "
                + "encrypted credential store and never shown again; leave empty for local servers",
                keyDropped ? "the key was not kept: type it again" : null);
        field(h, form, first, ProviderForm.MODELS, "Model List", "text", "Available models, separated by commas, for "
                + "example gpt-4, gpt-3.5-turbo", null);
        h.append("<tr><td colspan='2' class='mf-optional'>Optional</td></tr>\n");
        field(h, form, first, ProviderForm.HEADERS, "Extra headers", "textarea", "HTTP headers sent with every "
                + "request, one per line written as Name: value, for example X-Team: research", null);
        choice(h, form, first, ProviderForm.DIALECT, "Dialect", "How to talk to the service",
                new String[][] { { "openai", "OpenAI compatible (almost every service)" },
                    { "azure", "Azure OpenAI (api-key header and api-version)" } }, false);
        field(h, form, first, ProviderForm.API_VERSION, "Azure API version", "text", "Azure OpenAI only: the "
                + "api-version to call, for example 2024-10-21", null);
        field(h, form, first, ProviderForm.TIMEOUT_SECONDS, "Timeout (seconds)", "text", "Longest wait for an "
                + "answer; raise it for slow local models. Empty or 0: the hub's default", null);
        field(h, form, first, ProviderForm.ALLOW_INSECURE, "Allow insecure HTTP", "checkbox", "Plain http:// to "
                + "another machine sends the key and your messages unencrypted; set only for a server on a network "
                + "you trust (https:// and localhost need no setting)", null);
        h.append("<tr><td></td><td>");
        button(h, "Add Provider");
        h.append("</td></tr>\n</tbody></table></form>\n");
    }

    private void modelForm(StringBuilder h, List<ProviderRow> rows, CheckedForm form) {
        String first = form.errors().isEmpty() ? null : form.firstInvalid();
        h.append("<div class='ui-widget-header ui-corner-top buttonGroup' id='add-model-title'>Add Model</div>\n");
        h.append("<form method='post' id='add-model' action='").append(esc(pluginRoot)).append("'>")
                .append("<input type='hidden' name='action' value='add-model'/>");
        tokenField(h);
        h.append("\n<table class='nicetable'><tbody>\n");
        String[][] ids = rows.stream().filter(r -> ProviderIds.isValid(r.id()))
                .map(r -> new String[] { r.id(), r.id() + " (" + r.name() + ")" }).toArray(String[][]::new);
        choice(h, form, first, ModelForm.PROVIDER, "Provider", "The provider serving the model", ids, true);
        field(h, form, first, ModelForm.ID, "Model ID", "text", "The name used in API calls, for example "
                + "llama-3.3-70b-versatile", null, true);
        field(h, form, first, ModelForm.DISPLAY_NAME, "Display Name", "text", "The name shown in interfaces, for "
                + "example Llama 3.3 70B", null, true);
        field(h, form, first, ModelForm.CONTEXT_WINDOW, "Context Window", "text", "Maximum tokens supported, prompt "
                + "and answer together, for example 128000. Empty or 0: unknown", null, true);
        Set<String> checked = Set.copyOf(Arrays.asList(form.value(ModelForm.CAPABILITIES).split(",\\s*")));
        String error = form.error(ModelForm.CAPABILITIES);
        h.append("<tr class='mf-field").append(error != null ? " mf-invalid" : "")
                .append("'><td>Capability Tags</td><td id='model-capabilities'>");
        for (Capability c : Capability.values()) {
            h.append("<label class='mf-tag'><input type='checkbox' name='").append(ModelForm.CAPABILITIES)
                    .append("' value='").append(c.tag()).append("' id='cap-").append(c.tag()).append("'")
                    .append(checked.contains(c.tag()) ? " checked='checked'" : "").append("/> ").append(c.tag())
                    .append("</label> ");
        }
        error(h, ModelForm.CAPABILITIES, error, true);
        h.append("<div class='mf-help'>What the model supports: requests with images need vision, requests with "
                + "tools need tools</div></td></tr>\n");
        h.append("<tr><td></td><td>");
        button(h, "Add Model");
        h.append("</td></tr>\n</tbody></table></form>\n");
    }

    private void report(StringBuilder h, Diagnosis d) {
        h.append("<div class='ui-widget-header ui-corner-top buttonGroup' id='report-title'>Test of provider ")
                .append(esc(d.providerId())).append(d.model() == null ? "" : ", model " + esc(d.model()))
                .append("</div>\n<table id='report' class='nicetable'>\n<thead><tr><th>Step</th><th>Outcome</th>"
                        + "<th>Time</th><th>Seen</th><th>Cause</th><th>Fix</th></tr></thead>\n<tbody>\n");
        for (DiagnosisStep s : d.steps()) {
            String outcome = s.outcome().name().toLowerCase(java.util.Locale.ROOT);
            h.append("<tr class='step mf-").append(outcome).append("'><td class='step-name'>").append(esc(s.name()))
                    .append("</td><td class='outcome'>").append(outcome).append("</td><td class='time'>")
                    .append(s.outcome() == DiagnosisStep.Outcome.SKIPPED || s.durationMs() == 0 ? ""
                            : s.durationMs() + " ms")
                    .append("</td><td class='detail'>").append(esc(s.detail())).append("</td><td class='cause'>")
                    .append(esc(s.cause())).append("</td><td class='fix'>").append(esc(s.fix())).append("</td></tr>\n");
        }
        h.append("</tbody></table>\n<p id='report-result' class='statline ")
                .append(d.ok() ? "ui-state-highlight'>OK" : "ui-state-error'>FAILED").append(" in ")
                .append(d.durationMs()).append(" ms");
        d.firstFailure().ifPresent(f -> h.append(": ").append(esc(f.name())).append(" \u2014 ").append(esc(f.cause())));
        h.append("</p>\n");
    }

    private void remote(StringBuilder h, RemoteModels r) {
        h.append("<div class='ui-widget-header ui-corner-top buttonGroup' id='remote-title'>Models of provider ")
                .append(esc(r.providerId())).append(": ").append(r.remote().size()).append(" served, ")
                .append(r.missing().size()).append(" not in its list</div>\n");
        open(h, "add-models", r.providerId(), null);
        h.append("<table id='remote-models' class='nicetable'>\n<thead><tr><th>Add</th><th>Model</th>"
                + "<th>In its list</th><th>Context window</th></tr></thead>\n<tbody>\n");
        for (ModelInfo m : r.remote()) {
            boolean missing = r.missing().contains(m.id());
            h.append("<tr class='remote'><td><input type='checkbox' name='model' value='").append(esc(m.id()))
                    .append("'").append(missing ? "" : " checked='checked' disabled='disabled'").append("/></td><td>")
                    .append(esc(m.id())).append("</td><td>").append(missing ? "no" : "yes").append("</td><td>")
                    .append(m.contextWindow() == ModelInfo.UNKNOWN ? "?" : String.valueOf(m.contextWindow()))
                    .append("</td></tr>\n");
        }
        h.append("</tbody></table>\n");
        if (!r.gone().isEmpty()) {
            h.append("<p class='mf-hint' id='remote-gone'>In its list but not served (renamed or retired?): ")
                    .append(esc(String.join(", ", r.gone()))).append("</p>\n");
        }
        if (r.missing().isEmpty()) {
            h.append("<p class='mf-hint'>Every model the provider serves is in its list.</p>");
        } else {
            button(h, "Add chosen models");
        }
        h.append("</form>\n");
    }

    private static void field(StringBuilder h, CheckedForm form, String first, String field, String label,
            String type, String help, String note) {
        field(h, form, first, field, label, type, help, note, false);
    }

    /** A form row; element ids are {@code add-<field>} in Add Provider, {@code model-<field>} in Add Model. */
    private static void field(StringBuilder h, CheckedForm form, String first, String field, String label,
            String type, String help, String note, boolean model) {
        String error = form.error(field);
        String id = (model ? "model-" : "add-") + field;
        h.append("<tr class='mf-field").append(error != null ? " mf-invalid" : "").append("'><td><label for='")
                .append(id).append("'>").append(label).append("</label></td><td>");
        String focus = field.equals(first) ? " autofocus='autofocus'" : ""; // the browser shows the first field to fix
        String common = "id='" + id + "' name='" + field + "'" + focus;
        switch (type) {
            case "textarea" -> h.append("<textarea ").append(common).append(" rows='2' cols='50'>")
                    .append(esc(form.value(field))).append("</textarea>");
            case "checkbox" -> h.append("<input ").append(common).append(" type='checkbox' value='true'")
                    .append(form.value(field).matches("(?i)true|on") ? " checked='checked'" : "").append("/>");
            case "password" -> h.append("<input ").append(common)
                    .append(" type='password' size='50' autocomplete='new-password'/>");
            default -> h.append("<input ").append(common).append(" type='text' size='50' value='")
                    .append(esc(form.value(field))).append("'/>");
        }
        error(h, field, error != null ? error : note, model);
        h.append("<div class='mf-help'>").append(esc(help)).append("</div></td></tr>\n");
    }

    private static void choice(StringBuilder h, CheckedForm form, String first, String field, String label,
            String help, String[][] options, boolean model) {
        String error = form.error(field);
        String id = (model ? "model-" : "add-") + field;
        h.append("<tr class='mf-field").append(error != null ? " mf-invalid" : "").append("'><td><label for='")
                .append(id).append("'>").append(label).append("</label></td><td><select id='").append(id)
                .append("' name='").append(field).append("'").append(field.equals(first) ? " autofocus='autofocus'" : "")
                .append(">");
        for (String[] o : options) {
            h.append("<option value='").append(esc(o[0])).append("'")
                    .append(o[0].equalsIgnoreCase(form.value(field)) ? " selected='selected'" : "").append(">")
                    .append(esc(o[1])).append("</option>");
        }
        h.append("</select>");
        error(h, field, error, model);
        h.append("<div class='mf-help'>").append(esc(help)).append("</div></td></tr>\n");
    }

    private static void error(StringBuilder h, String field, String error, boolean model) {
        if (error != null) {
            h.append(" <span class='mf-error ui-state-error-text' id='").append(model ? "model-error-" : "error-")
                    .append(field).append("'>")
                    .append(esc(error)).append("</span>");
        }
    }

    /**
     * Escapes text for HTML content and attribute values; {@code $} too, so that the Web Console's own
     * {@code ${...}} substitution never touches what a user typed.
     */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                case '$' -> b.append("&#36;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
