package dev.moryflow.chat.internal;

import static dev.moryflow.config.Values.list;
import static dev.moryflow.config.Values.oneLine;
import static dev.moryflow.config.Values.text;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import dev.moryflow.chat.RouteDefinition;

/**
 * One {@code moryflow.route} configuration, validated: the alias, its targets in order, what moves a chat on, and
 * the route's patience with {@code Retry-After}. The alias is the {@code alias} property, or else the name of the
 * named factory configuration ({@code deploy/moryflow.route-fast.cfg} is {@code moryflow.route~fast}: alias
 * {@code fast}). Values may be arrays or comma-separated text (as a {@code .cfg} file gives them). Immutable.
 */
final class RouteConfig {

    static final String ALIAS = "alias";
    static final String TARGETS = "targets";
    static final String RETRY_ON = "retryOn";
    static final String MAX_RETRY_AFTER = "maxRetryAfterSeconds";

    /** Letters, digits and {@code . _ : -}; no {@code /} (that is how a provider's model is named). */
    private static final Pattern ALIAS_SYNTAX = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    final String pid;
    final RouteDefinition definition;

    private RouteConfig(String pid, RouteDefinition definition) {
        this.pid = pid;
        this.definition = definition;
    }

    String alias() {
        return definition.alias();
    }

    /**
     * @param pid the configuration's PID
     * @param p   its properties
     * @return the validated route
     * @throws IllegalArgumentException naming the field, what is wrong and the fix
     */
    static RouteConfig parse(String pid, Map<String, ?> p) {
        String alias = text(p.get(ALIAS));
        if (alias == null && pid != null && pid.indexOf('~') > 0) {
            alias = pid.substring(pid.indexOf('~') + 1);
        }
        if (alias == null) {
            throw new IllegalArgumentException("alias: missing. Set alias to the name clients will use as model, "
                    + "for example alias=fast (or name the file deploy/moryflow.route-fast.cfg)");
        }
        if (!ALIAS_SYNTAX.matcher(alias).matches()) {
            throw new IllegalArgumentException("alias: '" + oneLine(alias, 80) + "' is not a valid alias. Use letters, "
                    + "digits and . _ : - (no '/', which names a provider's model), for example fast or chat-default");
        }
        List<String> targets = list(p.get(TARGETS), "[,\\s]+");
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("targets: missing. List the models to try in order, each as "
                    + "provider/model, for example targets=groq/llama-3.3-70b-versatile,openai/gpt-4o-mini");
        }
        Set<String> seen = new LinkedHashSet<>();
        for (String t : targets) {
            int slash = t.indexOf('/');
            if (slash <= 0 || slash == t.length() - 1) {
                throw new IllegalArgumentException("targets: '" + oneLine(t, 80) + "' is not provider/model. Write "
                        + "each target as <provider id>/<model id>, for example groq/llama-3.3-70b-versatile "
                        + "(`moryflow:models` lists them)");
            }
            if (!seen.add(t)) {
                throw new IllegalArgumentException("targets: '" + oneLine(t, 80) + "' is listed twice. Name each "
                        + "target once, in the order to try them");
            }
        }
        List<String> retry = list(p.get(RETRY_ON), "[,\\s]+");
        Set<String> retryOn = new LinkedHashSet<>();
        for (String r : retry) {
            String v = r.toLowerCase(Locale.ROOT);
            if (!RouteDefinition.RETRY_VALUES.contains(v)) {
                throw new IllegalArgumentException("retryOn: '" + oneLine(r, 80) + "' is not known. Use any of "
                        + String.join(", ", RouteDefinition.RETRY_VALUES) + " (default: "
                        + String.join(", ", RouteDefinition.RETRY_VALUES.subList(0, 4)) + ")");
            }
            retryOn.add(v);
        }
        if (retryOn.isEmpty()) {
            retryOn.addAll(RouteDefinition.DEFAULT_RETRY_ON);
        }
        int patience = RouteDefinition.DEFAULT_MAX_RETRY_AFTER_SECONDS;
        Object m = p.get(MAX_RETRY_AFTER);
        String mt = m instanceof Number ? String.valueOf(((Number) m).longValue()) : text(m);
        if (mt != null) {
            try {
                patience = Integer.parseInt(mt);
            } catch (NumberFormatException e) {
                patience = -1;
            }
            if (patience < 0 || patience > 600) {
                throw new IllegalArgumentException("maxRetryAfterSeconds: '" + oneLine(mt, 80) + "' is not a number "
                        + "of seconds from 0 to 600. It is the longest Retry-After the route waits for before "
                        + "trying a target again (default " + RouteDefinition.DEFAULT_MAX_RETRY_AFTER_SECONDS + ")");
            }
        }
        return new RouteConfig(pid, new RouteDefinition(alias, targets, retryOn, patience, pid, null));
    }

    @Override
    public String toString() {
        return "route " + definition;
    }
}
