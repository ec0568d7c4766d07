package dev.moryflow.webconsole.internal;

import java.util.List;

/**
 * The plugin's page in the Web Console's own look (its {@code statline}, {@code nicetable}, {@code buttonGroup}
 * header and jQuery UI buttons): the status line, the Providers table with each provider's actions, and the Add
 * Provider form. Everything shown is escaped; no key is ever given to it.
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
     * @param rows       the providers
     * @param form       the Add Provider form as the user left it (empty, or with errors)
     * @param keyDropped whether the form came with a key that was not kept (it must be typed again)
     * @param notice     what the last action did, or null
     * @return the page's content
     */
    String render(List<ProviderRow> rows, NewProvider form, boolean keyDropped, Notice notice) {
        StringBuilder h = new StringBuilder(16 * 1024);
        if (notice != null) {
            h.append("<p id='notice' class='statline ").append(notice.error() ? "ui-state-error" : "ui-state-highlight")
                    .append("'>").append(esc(notice.message()));
            if (notice.fingerprint() != null) {
                h.append(" <span class='fingerprint'>").append(esc(notice.fingerprint())).append("</span>");
            }
            h.append("</p>\n");
        }
        h.append("<p class='statline'>").append(esc(summary(rows))).append("</p>\n");
        providers(h, rows);
        addForm(h, form, keyDropped);
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

    private void providers(StringBuilder h, List<ProviderRow> rows) {
        h.append("<div class='ui-widget-header ui-corner-top buttonGroup'>Providers</div>\n");
        h.append("<table id='providers' class='nicetable'>\n<thead><tr><th>Name</th><th>Id</th><th>Base URL</th>"
                + "<th>Status</th><th>Key</th><th>Models</th><th>Actions</th></tr></thead>\n<tbody>\n");
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
            h.append("</td><td class='key'>").append(esc(r.key())).append("</td>");
            h.append("<td class='models'>").append(esc(String.join(", ", r.models()))).append("</td>");
            h.append("<td class='actions'>");
            actions(h, r);
            h.append("</td></tr>\n");
        }
        if (rows.isEmpty()) {
            h.append("<tr><td colspan='7'>No providers yet: add one below.</td></tr>\n");
        }
        h.append("</tbody></table>\n");
    }

    private void actions(StringBuilder h, ProviderRow r) {
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

    private void addForm(StringBuilder h, NewProvider form, boolean keyDropped) {
        String first = form.errors().isEmpty() ? null : form.firstInvalid();
        h.append("<div class='ui-widget-header ui-corner-top buttonGroup' id='add-provider-title'>Add Provider</div>\n");
        h.append("<form method='post' id='add-provider' action='").append(esc(pluginRoot)).append("'>")
                .append("<input type='hidden' name='action' value='add-provider'/>");
        tokenField(h);
        h.append("\n<table class='nicetable'><tbody>\n");
        field(h, form, first, NewProvider.NAME, "Name", "text", "Display name, for example My AI Service", null);
        field(h, form, first, NewProvider.ID, "Provider id", "text", "Chosen once, made from the name; used in model "
                + "names (id/model) and by moryflow: commands. " + dev.moryflow.provider.ProviderIds.RULE, null);
        // text, not url: the hub checks it and says what is wrong in the words of its log
        field(h, form, first, NewProvider.BASE_URL, "Base URL", "text", "API endpoint, for example https://api.example.com/v1",
                null);
        field(h, form, first, NewProvider.API_KEY, "API Key", "password", "Authentication key, kept in the hub's "
                + "encrypted credential store and never shown again; leave empty for local servers",
                keyDropped ? "the key was not kept: type it again" : null);
        field(h, form, first, NewProvider.MODELS, "Model List", "text", "Available models, separated by commas, for "
                + "example gpt-4, gpt-3.5-turbo", null);
        h.append("<tr><td></td><td>");
        button(h, "Add Provider");
        h.append("</td></tr>\n</tbody></table></form>\n");
    }

    private static void field(StringBuilder h, NewProvider form, String first, String field, String label,
            String type, String help, String note) {
        String error = form.error(field);
        h.append("<tr class='mf-field").append(error != null ? " mf-invalid" : "").append("'><td><label for='add-")
                .append(field).append("'>").append(label).append("</label></td><td>");
        h.append("<input id='add-").append(field).append("' name='").append(field).append("' type='").append(type)
                .append("' size='50'");
        if (type.equals("password")) {
            h.append(" autocomplete='new-password'");
        } else {
            h.append(" value='").append(esc(form.value(field))).append("'");
        }
        if (field.equals(first)) {
            h.append(" autofocus='autofocus'"); // the browser shows the first field to fix
        }
        h.append("/>");
        if (error != null) {
            h.append(" <span class='mf-error ui-state-error-text' id='error-").append(field).append("'>")
                    .append(esc(error)).append("</span>");
        } else if (note != null) {
            h.append(" <span class='mf-error ui-state-error-text' id='error-").append(field).append("'>")
                    .append(esc(note)).append("</span>");
        }
        h.append("<div class='mf-help'>").append(esc(help)).append("</div></td></tr>\n");
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
