package dev.moryflow.chat.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.EventAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.moryflow.chat.ChatService;
import dev.moryflow.chat.ModelListService;
import dev.moryflow.chat.RemoteModels;
import dev.moryflow.chat.Route;
import dev.moryflow.chat.RoutedModel;
import dev.moryflow.provider.ChatChunk;
import dev.moryflow.provider.ChatRequest;
import dev.moryflow.provider.ChatResponse;
import dev.moryflow.provider.ChatStreamListener;
import dev.moryflow.provider.ModelInfo;
import dev.moryflow.provider.PresetCatalog;
import dev.moryflow.provider.Problem;
import dev.moryflow.provider.ProviderException;
import dev.moryflow.provider.ProviderService;
import dev.moryflow.provider.StreamHandle;
import dev.moryflow.provider.WholeAnswer;

/**
 * Routes chats to the provider services of the whole hub. Tracks every {@link ProviderService} as it comes, changes
 * and goes (from any bundle, at any time), with the model metadata of the preset catalog and of
 * {@code moryflow.model} configurations; keeps an immutable {@link RoutingTable} swapped atomically; refuses what a
 * model cannot take before sending it; and posts provider, model and chat events. Also keeps providers' model lists
 * in step with their remote lists ({@link ModelListService}).
 */
@Component(service = { ChatService.class, ModelListService.class }, immediate = true)
public class ChatServiceImpl implements ChatService, ModelListService {

    private final Logger logger = LoggerFactory.getLogger(ChatServiceImpl.class);

    private final ChatEvents events;
    private final Object lock = new Object();
    private final Map<Long, ProviderEntry> entries = new HashMap<>();
    /** The chats running through each provider service, by service id; ended when the service goes. */
    private final Map<Long, RunningChats<RoutedListener>> running = new ConcurrentHashMap<>();
    private final Map<ModelConfig, Boolean> modelConfigs = new IdentityHashMap<>();
    private final Map<RouteConfig, Boolean> routeConfigs = new IdentityHashMap<>();
    private final HealthTracker health;
    /** Framework property: seconds without a running chat after which the heap a load grew is given back. */
    static final String PROP_COLLECT_AFTER_IDLE = "moryflow.memory.collectAfterIdleSeconds";
    /** How much the heap must have grown since the last collection for the idle one to be worth it. */
    private static final long AFTER_LOAD_GROWTH = 64L << 20;
    private static final long DEFAULT_COLLECT_AFTER_IDLE_SECONDS = 70;
    private final AfterLoad afterLoad;
    private PresetCatalog catalog;
    private volatile RoutingTable table = RoutingTable.EMPTY;
    /**
     * Whether providers came, changed or went since the table was built (written under lock). Their table is built
     * once for a burst of them, a moment after the first (many providers registering at once would otherwise build it
     * once each, each time from all of them), or at once when routing needs it.
     */
    private volatile boolean stale;
    private boolean rebuildScheduled; // guarded by lock
    private final java.util.concurrent.ScheduledExecutorService rebuilder =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "moryflow-chat-routing");
                t.setDaemon(true);
                return t;
            });

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ConfigurationAdmin configAdmin;

    /**
     * @param eventAdmin posts the chat bundle's events
     * @param health     each provider's health, which orders a route's targets
     */
    @Activate
    public ChatServiceImpl(BundleContext context, @Reference EventAdmin eventAdmin, @Reference HealthTracker health) {
        this.events = new ChatEvents(eventAdmin);
        this.health = health;
        long idleMillis = idleSeconds(context) * 1000L;
        this.afterLoad = new AfterLoad(check -> rebuilder.schedule(check, idleMillis,
                java.util.concurrent.TimeUnit.MILLISECONDS), idleMillis, AFTER_LOAD_GROWTH,
                Runtime.getRuntime()::totalMemory, System::gc);
    }

    /**
     * @return {@value #PROP_COLLECT_AFTER_IDLE} (seconds), 70 when unset (past the 60 s after which Jetty's and
     *         OkHttp's idle threads of a load end, with what they hold), 0 (never) when not a number
     */
    private long idleSeconds(BundleContext context) {
        String v = context == null ? null : context.getProperty(PROP_COLLECT_AFTER_IDLE);
        if (v == null || v.isBlank()) {
            return DEFAULT_COLLECT_AFTER_IDLE_SECONDS;
        }
        try {
            return Math.max(0, Long.parseLong(v.trim()));
        } catch (NumberFormatException e) {
            logger.warn("{} = '{}' is not a number of seconds: the heap is not given back after a load. Set it to a "
                    + "whole number ({} by default, 0 for never).", PROP_COLLECT_AFTER_IDLE, v,
                    DEFAULT_COLLECT_AFTER_IDLE_SECONDS);
            return 0;
        }
    }

    @org.osgi.service.component.annotations.Deactivate
    void deactivate() {
        rebuilder.shutdownNow();
    }

    @Reference(service = ProviderService.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindProvider(ProviderService service, Map<String, Object> props) {
        ProviderEntry e = entry(service, props);
        if (e != null) {
            running.putIfAbsent(e.serviceId, new RunningChats<>());
            apply(e.serviceId, e);
        }
    }

    void updatedProvider(ProviderService service, Map<String, Object> props) {
        ProviderEntry e = entry(service, props);
        apply(serviceId(props), e);
    }

    /**
     * Forgets the service, then ends every chat still running through it: its call is cancelled and its listener
     * told {@link ProviderException#removed} with what happened ({@link Removal}), whatever the provider's bundle
     * does with its own calls. Chats through other services are not touched.
     */
    void unbindProvider(ServiceReference<ProviderService> ref) {
        Object o = ref.getProperty(Constants.SERVICE_ID);
        long serviceId = o instanceof Long ? (Long) o : -1L;
        apply(serviceId, null);
        RunningChats<RoutedListener> chats = running.remove(serviceId);
        List<RoutedListener> still = chats == null ? List.of() : chats.close();
        if (!still.isEmpty()) {
            String providerId = String.valueOf(ref.getProperty(ProviderService.PROVIDER_ID));
            String why = Removal.why(ref, configAdmin);
            logger.info("Provider {} went while {} chats ran through it ({}): they end with an error", providerId,
                    still.size(), why);
            ProviderException removed = ProviderException.removed(providerId, why);
            for (RoutedListener chat : still) {
                chat.providerRemoved(removed);
            }
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindCatalog(PresetCatalog c) {
        synchronized (lock) {
            catalog = c;
            rebuild();
        }
    }

    void unbindCatalog(PresetCatalog c) {
        synchronized (lock) {
            if (catalog == c) {
                catalog = null;
                rebuild();
            }
        }
    }

    @Reference(service = ModelConfig.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC)
    void bindModelConfig(ModelConfig c) {
        synchronized (lock) {
            modelConfigs.put(c, Boolean.TRUE);
            rebuild();
        }
    }

    void unbindModelConfig(ModelConfig c) {
        synchronized (lock) {
            if (modelConfigs.remove(c) != null) {
                rebuild();
            }
        }
    }

    @Reference(service = RouteConfig.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC)
    void bindRouteConfig(RouteConfig c) {
        synchronized (lock) {
            routeConfigs.put(c, Boolean.TRUE);
            rebuild();
        }
    }

    void unbindRouteConfig(RouteConfig c) {
        synchronized (lock) {
            if (routeConfigs.remove(c) != null) {
                rebuild();
            }
        }
    }

    /** Records, replaces or (with null) forgets one service's entry and swaps in the table built from all. */
    private void apply(long serviceId, ProviderEntry entry) {
        synchronized (lock) {
            if (entry == null) {
                if (entries.remove(serviceId) == null) {
                    return;
                }
            } else {
                entries.put(serviceId, entry);
            }
            stale = true;
            if (!rebuildScheduled) {
                rebuildScheduled = true;
                try {
                    // a moment that grows with the table (each build reads all of it): 20 ms, 220 ms at 2,000
                    long delay = Math.min(250, 20 + entries.size() / 10);
                    rebuilder.schedule(this::rebuildIfStale, delay, java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.RejectedExecutionException stopping) {
                    rebuild();
                }
            }
        }
    }

    private void rebuildIfStale() {
        synchronized (lock) {
            rebuildScheduled = false;
            if (stale) {
                rebuild();
            }
        }
    }

    /** @return the routing table, built first when providers changed since */
    private RoutingTable current() {
        if (stale) {
            synchronized (lock) {
                if (stale) {
                    rebuild();
                }
            }
        }
        return table;
    }

    /** Builds the table from every entry and the current metadata, swaps it in and posts the differences. */
    private void rebuild() {
        synchronized (lock) {
            stale = false;
            List<ModelConfig> configs = new ArrayList<>(modelConfigs.keySet());
            configs.sort((a, b) -> String.valueOf(a.pid).compareTo(String.valueOf(b.pid)));
            RoutingTable before = table;
            List<RouteConfig> routes = new ArrayList<>(routeConfigs.keySet());
            routes.sort((a, b) -> String.valueOf(a.pid).compareTo(String.valueOf(b.pid)));
            RoutingTable after = new RoutingTable(new ArrayList<>(entries.values()),
                    new ModelMetadata(catalog, configs), routes);
            table = after;
            for (ProviderEntry s : after.shadowed()) {
                if (!before.shadowed().contains(s)) {
                    logger.warn("Two providers have the id '{}': service {} is ignored while service {} (higher "
                            + "ranking or older) serves it. Give one of them another name (the part after '-' in "
                            + "its deploy file name).", s.id, s.serviceId, after.providers().get(s.id).serviceId);
                }
            }
            for (dev.moryflow.chat.RouteDefinition r : after.routes()) {
                if (!r.routable() && !before.routes().contains(r)) {
                    logger.warn("Route {} ({}) is refused: {}", r.alias(), r.configuration(), r.refused());
                } else if (r.routable() && before.route(r.alias()) == null) {
                    logger.info("Route {} is routable: {}", r.alias(), r.targets());
                }
            }
            events.tableChanged(before, after);
        }
    }

    private ProviderEntry entry(ProviderService service, Map<String, Object> props) {
        Object id = props.get(ProviderService.PROVIDER_ID);
        if (!(id instanceof String) || ((String) id).isBlank()) {
            logger.warn("Ignoring a ProviderService (service.id {}) without the '{}' service property",
                    props.get(Constants.SERVICE_ID), ProviderService.PROVIDER_ID);
            return null;
        }
        List<ModelInfo> models;
        try {
            models = service.models();
        } catch (RuntimeException e) {
            logger.warn("Provider '{}' failed to list its models ({}); routing it with the ids of its '{}' property",
                    id, e.toString(), ProviderService.PROVIDER_MODELS);
            models = modelsFromProperty(props.get(ProviderService.PROVIDER_MODELS));
        }
        return new ProviderEntry(serviceId(props), (String) id, str(props.get(ProviderService.PROVIDER_NAME)),
                str(props.get(ProviderService.PROVIDER_PROTOCOL)), str(props.get(ProviderService.PROVIDER_PRESET)),
                ranking(props), models, service, str(props.get(Constants.SERVICE_PID)));
    }

    private static List<ModelInfo> modelsFromProperty(Object value) {
        List<ModelInfo> out = new ArrayList<>();
        if (value instanceof String[]) {
            for (String s : (String[]) value) {
                if (s != null && !s.isBlank()) {
                    out.add(ModelInfo.of(s.trim()));
                }
            }
        } else if (value instanceof String && !((String) value).isBlank()) {
            out.add(ModelInfo.of(((String) value).trim()));
        }
        return out;
    }

    private static String str(Object o) {
        return o instanceof String ? (String) o : null;
    }

    private static long serviceId(Map<String, Object> props) {
        Object o = props.get(Constants.SERVICE_ID);
        return o instanceof Long ? (Long) o : -1L;
    }

    private static int ranking(Map<String, Object> props) {
        Object o = props.get(Constants.SERVICE_RANKING);
        return o instanceof Integer ? (Integer) o : 0;
    }

    @Override
    public Route resolve(String model) throws ProviderException {
        return current().resolve(model);
    }

    @Override
    public List<RoutedModel> models() {
        return current().models();
    }

    @Override
    public List<dev.moryflow.chat.RouteDefinition> routes() {
        return current().routes();
    }

    @Override
    public dev.moryflow.chat.ProviderHealth health(String providerId) {
        return health.health(providerId);
    }

    @Override
    public java.util.Optional<String> unavailable(String providerId) {
        ProviderEntry entry = current().providers().get(providerId);
        if (entry == null) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.ofNullable(entry.service.info().unavailableReason());
        } catch (RuntimeException e) {
            return java.util.Optional.of("failing: " + e);
        }
    }

    @Override
    public List<dev.moryflow.chat.OrphanedModel> orphanedModels() {
        RoutingTable t = current();
        List<ModelConfig> configs;
        synchronized (lock) {
            configs = new ArrayList<>(modelConfigs.keySet());
        }
        List<dev.moryflow.chat.OrphanedModel> out = new ArrayList<>();
        for (ModelConfig c : configs) {
            if (!t.providers().containsKey(c.provider)) {
                out.add(new dev.moryflow.chat.OrphanedModel(String.valueOf(c.pid), c.provider, c.id));
            }
        }
        out.sort(java.util.Comparator.comparing(dev.moryflow.chat.OrphanedModel::providerId)
                .thenComparing(dev.moryflow.chat.OrphanedModel::modelId));
        return out;
    }

    @Override
    public ChatResponse chat(ChatRequest request) throws ProviderException {
        // one way to send: the asynchronous call, waited for here, so that a provider going ends the wait too
        WholeAnswer answer = new WholeAnswer();
        return answer.await(send(request, answer, false), null);
    }

    @Override
    public StreamHandle stream(ChatRequest request, ChatStreamListener listener) {
        return send(request, listener, true);
    }

    @Override
    public StreamHandle chatAsync(ChatRequest request, ChatStreamListener listener) {
        return send(request, listener, false);
    }

    /** Routes, admits and sends a chat whose answer reaches the listener, streamed or whole. */
    private StreamHandle send(ChatRequest request, ChatStreamListener listener, boolean streamed) {
        long start = System.nanoTime();
        RoutingTable t = current();
        Route route;
        try {
            route = t.resolve(request.model());
            if (route.kind() == Route.Kind.ALIAS) {
                return sendRoute(t, t.route(route.requested()), request, listener, streamed, start);
            }
            Admission.check(request, route.target(), t.isDescribed(route.target()), t.models());
        } catch (ProviderException e) {
            events.failed(request.model(), null, millisSince(start), streamed, e);
            listener.onError(e);
            return StreamHandle.done();
        }
        RoutedModel target = route.target();
        try {
            listener.onProvider(target.providerId());
        } catch (RuntimeException e) {
            logger.debug("The receiver of a chat failed when told its provider {}: {}", target.providerId(),
                    e.toString());
        }
        return dispatch(t, target, request, listener, streamed, start, null, 0);
    }

    /** A chat of an alias: its targets in order ({@link RouteCall}). */
    private StreamHandle sendRoute(RoutingTable t, dev.moryflow.chat.RouteDefinition def, ChatRequest request,
            ChatStreamListener listener, boolean streamed, long start) {
        RouteCall call = new RouteCall(t, def, request, listener,
                (target, attemptListener, attempt) -> dispatch(t, target, request, attemptListener, streamed,
                        System.nanoTime(), def.alias(), attempt),
                health::health);
        ProviderException refused = call.begin();
        if (refused != null) {
            events.failed(request.model(), null, millisSince(start), streamed, refused, def.alias(), 0);
            listener.onError(refused);
            return StreamHandle.done();
        }
        return call;
    }

    /**
     * Sends a routed and admitted chat to its provider, tracked among the chats running through that provider's
     * service, and posts its event.
     *
     * @param route   the alias it was sent for, or null
     * @param attempt which target of the route it is (from 1), or 0
     */
    private StreamHandle dispatch(RoutingTable t, RoutedModel target, ChatRequest request,
            ChatStreamListener listener, boolean streamed, long start, String route, int attempt) {
        String providerId = target.providerId();
        ProviderEntry entry = t.providers().get(providerId);
        RunningChats<RoutedListener> chats = entry == null ? null : running.get(entry.serviceId);
        RoutedListener routed = new RoutedListener(listener, request.model(), providerId, target.model().id(), start,
                streamed, chats, route, attempt);
        if (chats == null || !chats.add(routed)) {
            routed.onError(ProviderException.removed(providerId, "it went away as the chat was sent"));
            return StreamHandle.done();
        }
        routed.counted();
        ProviderService service = entry.service;
        ChatRequest sent = request.withModel(target.model().id());
        try {
            return routed.attach(streamed ? service.stream(sent, routed) : service.chatAsync(sent, routed));
        } catch (RuntimeException e) {
            routed.onError(crashed(providerId, e));
            return StreamHandle.done();
        }
    }

    @Override
    public RemoteModels remoteModels(String providerId) throws ProviderException {
        RoutingTable t = current();
        ProviderEntry p = known(t, providerId);
        List<ModelInfo> remote;
        try {
            remote = p.service.listRemoteModels();
        } catch (RuntimeException e) {
            throw crashed(p.id, e);
        }
        List<String> configured = new ArrayList<>();
        p.models.forEach(m -> configured.add(m.id()));
        return ModelLists.compare(p.id, remote, configured, t.modelIds(p.id));
    }

    @Override
    public List<String> addModels(String providerId, Collection<String> modelIds) throws ProviderException {
        ProviderEntry p = known(current(), providerId);
        ConfigurationAdmin ca = configAdmin;
        if (p.pid == null || ca == null) {
            throw new ProviderException(Problem.BAD_REQUEST, "provider '" + p.id + "' was not made from a "
                    + "configuration, so its model list cannot be changed here",
                    "Add the models where the provider is defined (its bundle), or describe each model with a "
                            + "moryflow.model configuration (provider = " + p.id + ", id = <model>).");
        }
        try {
            Configuration[] found = ca.listConfigurations("(" + Constants.SERVICE_PID + "="
                    + dev.moryflow.provider.ProviderIds.filterValue(p.pid) + ")");
            if (found == null || found.length == 0 || found[0].getProperties() == null) {
                throw new ProviderException(Problem.BAD_REQUEST, "the configuration of provider '" + p.id
                        + "' is gone", "List the providers again (`moryflow:providers`); it may have just been "
                                + "removed.");
            }
            Configuration c = found[0];
            Dictionary<String, Object> props = c.getProperties();
            Object current = props.get("models");
            List<String> existing = new ArrayList<>();
            p.models.forEach(m -> existing.add(m.id()));
            List<String> added = ModelLists.toAdd(existing, modelIds);
            if (!added.isEmpty()) {
                List<String> all = new ArrayList<>(existing);
                all.addAll(added);
                props.put("models", ModelLists.sameShape(current, all));
                c.update(props);
                logger.info("Provider {}: models {} added to its configuration", p.id, added);
            }
            return added;
        } catch (IOException | InvalidSyntaxException e) {
            throw new ProviderException(Problem.UPSTREAM_ERROR, "the configuration of provider '" + p.id
                    + "' could not be changed: " + e.getMessage(), "Check the hub's log and the data/config folder.");
        }
    }

    private static ProviderEntry known(RoutingTable t, String providerId) throws ProviderException {
        ProviderEntry p = providerId == null ? null : t.providers().get(providerId.trim());
        if (p == null) {
            List<String> close = dev.moryflow.provider.CloseMatches.find(String.valueOf(providerId),
                    new ArrayList<>(t.providers().keySet()), 3);
            throw new ProviderException(Problem.BAD_REQUEST, "there is no provider '" + providerId + "'",
                    (close.isEmpty() ? "" : "Did you mean: " + String.join(", ", close) + "? ")
                            + "`moryflow:providers` lists the providers.");
        }
        return p;
    }

    private ProviderException crashed(String providerId, RuntimeException e) {
        logger.warn("Provider '{}' failed unexpectedly: {}", providerId, e.toString());
        return new ProviderException(Problem.UPSTREAM_ERROR,
                "provider '" + providerId + "' failed unexpectedly (" + e.getClass().getSimpleName() + ")",
                "This is a fault in the provider's bundle; check the hub's log and report it.", 0, null, providerId,
                null);
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000L;
    }

    /**
     * Forwards a provider's stream to the caller, names the provider in the answer and posts the chat event; one
     * end only, whoever ends it (the provider, the caller's cancel, or the provider going). Calls to the caller are
     * made one at a time even when a provider and the unregistering thread race.
     */
    private final class RoutedListener implements ChatStreamListener {
        private final ChatStreamListener delegate;
        private final String requested;
        private final String providerId;
        private final String providerModel;
        private final long start;
        private final boolean streamed;
        private final AtomicBoolean finished = new AtomicBoolean();
        private final AtomicBoolean uncounted = new AtomicBoolean();
        private volatile boolean counted;
        private final RunningChats<RoutedListener> chats;
        private volatile StreamHandle handle;
        private final String route;
        private final int attempt;

        RoutedListener(ChatStreamListener delegate, String requested, String providerId, String providerModel,
                long start, boolean streamed, RunningChats<RoutedListener> chats, String route, int attempt) {
            this.route = route;
            this.attempt = attempt;
            this.chats = chats;
            this.streamed = streamed;
            this.delegate = delegate;
            this.requested = requested;
            this.providerId = providerId;
            this.providerModel = providerModel;
            this.start = start;
        }

        StreamHandle attach(StreamHandle h) {
            this.handle = h;
            if (finished.get()) {
                h.cancel(); // ended before the provider's call returned (its provider went): stop the call too
            }
            return new StreamHandle() {
                @Override
                public void cancel() {
                    if (finished.compareAndSet(false, true)) {
                        h.cancel();
                        forget();
                        events.failed(requested, providerId, millisSince(start), streamed,
                                new ProviderException(Problem.CANCELLED, "the chat was cancelled by its caller"),
                                route, attempt);
                    }
                }

                @Override
                public boolean isDone() {
                    return finished.get() || h.isDone();
                }
            };
        }

        /**
         * Its provider went: cancels the provider's call (outside this listener's lock: a provider may hold its own
         * lock while it calls this listener) and tells the caller.
         */
        void providerRemoved(ProviderException removed) {
            if (finished.compareAndSet(false, true)) {
                StreamHandle h = handle;
                if (h != null) {
                    h.cancel();
                }
                ended();
                events.failed(requested, providerId, millisSince(start), streamed, removed, route, attempt);
                synchronized (this) {
                    delegate.onError(removed);
                }
            }
        }

        private void forget() {
            if (chats != null) {
                chats.remove(this);
            }
            ended();
        }

        /** Counts it among the running chats (once it is tracked); {@link #ended()} takes it off. */
        void counted() {
            afterLoad.started();
            counted = true;
            if (finished.get()) {
                ended(); // it ended before it was counted
            }
        }

        private void ended() {
            if (counted && !uncounted.getAndSet(true)) {
                afterLoad.ended();
            }
        }

        @Override
        public void onChunk(ChatChunk chunk) {
            synchronized (this) {
                if (!finished.get()) {
                    delegate.onChunk(chunk);
                }
            }
        }

        @Override
        public void onComplete(ChatResponse response) {
            if (finished.compareAndSet(false, true)) {
                forget();
                ChatResponse answer = response.withOrigin(providerId,
                        response.model() == null ? providerModel : response.model());
                events.completed(requested, providerId, providerModel, millisSince(start), streamed, answer.usage(),
                        route, attempt);
                synchronized (this) {
                    delegate.onComplete(answer);
                }
            }
        }

        @Override
        public void onError(ProviderException error) {
            if (finished.compareAndSet(false, true)) {
                forget();
                ProviderException failure = error.withProvider(providerId);
                events.failed(requested, providerId, millisSince(start), streamed, failure, route, attempt);
                synchronized (this) {
                    delegate.onError(failure);
                }
            }
        }
    }
}
