package dev.moryflow.chat.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import dev.moryflow.chat.Route;
import dev.moryflow.chat.RouteDefinition;
import dev.moryflow.chat.RoutedModel;
import dev.moryflow.provider.CloseMatches;
import dev.moryflow.provider.ModelInfo;
import dev.moryflow.provider.Problem;
import dev.moryflow.provider.ProviderException;

/**
 * An immutable snapshot of everything routable: the providers (one per provider id — when two services claim the
 * same id, the higher ranking one wins and the other is shadowed) and their models. A bare model id that several
 * providers list goes to the first in {@link #BARE_ORDER}: highest ranking, then smallest provider id. A new table is built whenever a
 * provider comes, changes or goes, and swapped in atomically; requests in flight keep the table they started with.
 */
final class RoutingTable {

    static final RoutingTable EMPTY = new RoutingTable(List.of());

    /**
     * The order of the providers that list one bare model id: the highest {@code service.ranking} first, then the
     * smallest provider id. Never the order services were registered in, so a restart or a re-deployed file does not
     * move a model to another provider.
     */
    static final Comparator<RoutedModel> BARE_ORDER = Comparator.comparingInt(RoutedModel::ranking).reversed()
            .thenComparing(RoutedModel::providerId);

    private final Map<String, ProviderEntry> providers;
    private final Map<String, ModelMetadata.Described> described;
    private final List<ProviderEntry> shadowed;
    private final Map<String, List<RoutedModel>> byModelId;
    private final List<RoutedModel> models;
    /** Every route by alias, ordered by alias; the refused ones carry their reason. */
    private final Map<String, RouteDefinition> routes;

    RoutingTable(Collection<ProviderEntry> entries) {
        this(entries, ModelMetadata.NONE);
    }

    RoutingTable(Collection<ProviderEntry> entries, ModelMetadata metadata) {
        this(entries, metadata, List.of());
    }

    /**
     * @param entries  every tracked provider service
     * @param metadata what is known about models beyond what the providers report
     * @param routes   the valid {@code moryflow.route} configurations, ordered by PID (the first of two with one
     *                 alias keeps it)
     */
    RoutingTable(Collection<ProviderEntry> entries, ModelMetadata metadata, List<RouteConfig> routes) {
        Map<String, ProviderEntry> winners = new TreeMap<>();
        List<ProviderEntry> losers = new ArrayList<>();
        for (ProviderEntry e : entries) {
            ProviderEntry current = winners.get(e.id);
            if (current == null) {
                winners.put(e.id, e);
            } else if (e.outranks(current)) {
                winners.put(e.id, e);
                losers.add(current);
            } else {
                losers.add(e);
            }
        }
        Map<String, List<RoutedModel>> byId = new HashMap<>();
        List<RoutedModel> all = new ArrayList<>();
        Map<String, ModelMetadata.Described> describedModels = new HashMap<>();
        for (ProviderEntry p : winners.values()) {
            ModelMetadata.Described d = metadata.describe(p.id, p.preset, p.models);
            describedModels.put(p.id, d);
            List<RoutedModel> own = new ArrayList<>();
            for (ModelInfo m : d.models) {
                own.add(new RoutedModel(p.id, p.name, m, p.ranking));
            }
            own.sort((a, b) -> a.model().id().compareTo(b.model().id()));
            all.addAll(own);
            for (RoutedModel rm : own) {
                byId.computeIfAbsent(rm.model().id(), k -> new ArrayList<>()).add(rm);
            }
        }
        for (List<RoutedModel> list : byId.values()) {
            list.sort(BARE_ORDER);
        }
        this.providers = Collections.unmodifiableMap(winners);
        this.described = describedModels;
        this.shadowed = List.copyOf(losers);
        this.byModelId = byId;
        this.models = List.copyOf(all);
        Map<String, RouteDefinition> byAlias = new TreeMap<>();
        List<RouteDefinition> refusedTwice = new ArrayList<>();
        for (RouteConfig c : routes) {
            RouteDefinition d = c.definition;
            List<RoutedModel> shadowedModels = byId.get(d.alias());
            RouteDefinition first = byAlias.get(d.alias());
            if (first != null) {
                refusedTwice.add(d.refuse("alias '" + d.alias() + "' is already the route of configuration "
                        + first.configuration() + "; give this one another alias"));
            } else if (shadowedModels != null) {
                byAlias.put(d.alias(), d.refuse("alias '" + d.alias() + "' would shadow the model of "
                        + shadowedModels.stream().map(RoutedModel::qualifiedName).collect(Collectors.joining(", "))
                        + "; give the route another alias (an alias may not be a provider's model id)"));
            } else {
                byAlias.put(d.alias(), d);
            }
        }
        Map<String, RouteDefinition> allRoutes = new LinkedHashMap<>(byAlias);
        for (RouteDefinition d : refusedTwice) {
            allRoutes.put(d.alias() + "\u0000" + d.configuration(), d);
        }
        this.routes = Collections.unmodifiableMap(allRoutes);
    }

    /** @return every route, routable and refused, ordered by alias (a second route of one alias after the first) */
    List<RouteDefinition> routes() {
        List<RouteDefinition> out = new ArrayList<>(routes.values());
        out.sort(Comparator.comparing(RouteDefinition::alias).thenComparing(r -> r.routable() ? 0 : 1));
        return out;
    }

    /** @return the routable route of that alias, or null */
    RouteDefinition route(String alias) {
        RouteDefinition d = alias == null ? null : routes.get(alias.trim());
        return d != null && d.routable() ? d : null;
    }

    /**
     * Resolves one target of a route: a model name as {@link #resolve} reads it, but never an alias.
     *
     * @param target {@code provider/model}
     * @return the model
     * @throws ProviderException why it is not routable now
     */
    RoutedModel target(String target) throws ProviderException {
        return resolve(target, false).target();
    }

    /** @return the routable providers by id, ordered by id */
    Map<String, ProviderEntry> providers() {
        return providers;
    }

    /** @return services whose provider id is taken by a higher ranking service */
    List<ProviderEntry> shadowed() {
        return shadowed;
    }

    /** @return every routable model, by provider id then model id */
    List<RoutedModel> models() {
        return models;
    }

    /** @return the model ids of one provider, or an empty set */
    Set<String> modelIds(String providerId) {
        ModelMetadata.Described d = described.get(providerId);
        return d == null ? Set.of()
                : d.models.stream().map(ModelInfo::id).collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /** @return the models of one provider with their merged metadata, or an empty list */
    List<ModelInfo> modelsOf(String providerId) {
        ModelMetadata.Described d = described.get(providerId);
        return d == null ? List.of() : d.models;
    }

    /**
     * @param target a routed model
     * @return whether its metadata comes from somewhere (the provider, the catalog, a configuration) rather than
     *         being the default of a bare id, so that its capabilities and limits can be enforced
     */
    boolean isDescribed(RoutedModel target) {
        ModelMetadata.Described d = described.get(target.providerId());
        return d != null && Boolean.TRUE.equals(d.described.get(target.model().id()));
    }

    /**
     * Resolves a model name: {@code provider/model} when that provider lists the model, then a bare model id, then
     * {@code provider/model} for a provider that lists no models at all (it serves whatever it has loaded).
     *
     * @param name the model name as the client gave it
     * @return the route
     * @throws ProviderException MODEL_NOT_FOUND with close matches in the hint
     */
    Route resolve(String name) throws ProviderException {
        return resolve(name, true);
    }

    private Route resolve(String name, boolean aliases) throws ProviderException {
        if (name == null || name.isBlank()) {
            throw new ProviderException(Problem.BAD_REQUEST, "no model given",
                    "Name a model as provider/model or by its model ID; `moryflow:models` lists them.");
        }
        String trimmed = name.trim();
        int slash = trimmed.indexOf('/');
        ProviderEntry qualifier = slash > 0 ? providers.get(trimmed.substring(0, slash)) : null;
        String rest = slash > 0 ? trimmed.substring(slash + 1) : null;
        if (qualifier != null) {
            for (ModelInfo m : modelsOf(qualifier.id)) {
                if (m.id().equals(rest)) {
                    return new Route(trimmed, new RoutedModel(qualifier.id, qualifier.name, m, qualifier.ranking),
                            Route.Kind.QUALIFIED, List.of());
                }
            }
        }
        List<RoutedModel> bare = byModelId.get(trimmed);
        if (bare != null) {
            return new Route(trimmed, bare.get(0), Route.Kind.BARE, bare.subList(1, bare.size()));
        }
        RouteDefinition alias = aliases ? route(trimmed) : null;
        if (alias != null) {
            return aliasRoute(alias);
        }
        if (qualifier != null && qualifier.models.isEmpty() && !rest.isBlank()) {
            return new Route(trimmed,
                    new RoutedModel(qualifier.id, qualifier.name, ModelInfo.of(rest), qualifier.ranking),
                    Route.Kind.QUALIFIED, List.of());
        }
        throw notFound(trimmed, qualifier, rest);
    }

    /**
     * @return the alias's route: its first routable target as the target, the other routable ones in order as the
     *         alternatives
     * @throws ProviderException {@code MODEL_NOT_FOUND} naming the route and why each target is not routable
     */
    private Route aliasRoute(RouteDefinition alias) throws ProviderException {
        List<RoutedModel> found = new ArrayList<>();
        List<String> why = new ArrayList<>();
        for (String t : alias.targets()) {
            try {
                found.add(target(t));
            } catch (ProviderException e) {
                why.add(t + ": " + e.getMessage());
            }
        }
        if (found.isEmpty()) {
            throw new ProviderException(Problem.MODEL_NOT_FOUND, "route '" + alias.alias() + "' has no routable "
                    + "target (" + String.join("; ", why) + ")", "Configure the providers its targets name, or "
                            + "change the targets of " + alias.configuration() + " (`moryflow:models` lists every "
                            + "routable model).");
        }
        return new Route(alias.alias(), found.get(0), Route.Kind.ALIAS, found.subList(1, found.size()));
    }

    private ProviderException notFound(String name, ProviderEntry qualifier, String rest) {
        List<String> candidates = new ArrayList<>();
        String wanted = name;
        String message;
        if (qualifier != null) {
            wanted = rest;
            modelsOf(qualifier.id).forEach(m -> candidates.add(m.id()));
            message = "provider '" + qualifier.id + "' does not list model '" + rest + "'";
        } else {
            for (RoutedModel m : models) {
                candidates.add(m.model().id());
                candidates.add(m.qualifiedName());
            }
            message = providers.isEmpty() ? "no provider is configured, so no model '" + name + "' can be found"
                    : "no provider offers model '" + name + "'";
        }
        List<String> close = CloseMatches.find(wanted, candidates, 5);
        StringBuilder hint = new StringBuilder();
        if (!close.isEmpty()) {
            hint.append("Did you mean: ").append(String.join(", ", close)).append("? ");
        }
        hint.append("Confirm the model ID spelling is correct");
        if (qualifier != null) {
            hint.append(", or add the model to the models list of provider '").append(qualifier.id).append("'");
        } else if (providers.isEmpty()) {
            hint.append(", and add a provider: drop a moryflow.provider.openai-<id>.cfg file into deploy/");
        }
        hint.append(". `moryflow:models` lists every routable model.");
        return new ProviderException(Problem.MODEL_NOT_FOUND, message, hint.toString(), 0, null,
                qualifier == null ? null : qualifier.id, null);
    }
}
