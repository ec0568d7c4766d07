package dev.moryflow.shell.internal;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.stream.Collectors;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import dev.moryflow.chat.ChatService;
import dev.moryflow.chat.RoutedModel;
import dev.moryflow.provider.Capability;
import dev.moryflow.provider.ChatChunk;
import dev.moryflow.provider.ChatRequest;
import dev.moryflow.provider.ChatResponse;
import dev.moryflow.provider.ChatStreamListener;
import dev.moryflow.provider.KeyState;
import dev.moryflow.provider.ModelInfo;
import dev.moryflow.provider.ProviderException;
import dev.moryflow.provider.ProviderInfo;
import dev.moryflow.provider.ProviderService;
import dev.moryflow.provider.StreamHandle;
import dev.moryflow.provider.Usage;

/**
 * The Gogo commands of scope {@code moryflow}: list providers and models, and chat with a model from the console.
 */
@Component(service = MoryflowCommands.class, property = {
        "osgi.command.scope=moryflow",
        "osgi.command.function=providers",
        "osgi.command.function=models",
        "osgi.command.function=routes",
        "osgi.command.function=chat" })
public class MoryflowCommands {

    private final ChatService chatService;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<ProviderService> providers = List.of();

    @Activate
    public MoryflowCommands(@Reference ChatService chatService) {
        this.chatService = chatService;
    }

    /** For tests: commands over a fixed set of providers. */
    MoryflowCommands(ChatService chatService, List<ProviderService> providers) {
        this(chatService);
        this.providers = providers;
    }

    @Descriptor("list the configured providers with their protocol, base URL, transport (https, local, or plain http refused or allowed), key status, models and health")
    public void providers() {
        Printed.print(providerTable());
    }

    /** @return what {@code moryflow:providers} prints */
    String providerTable() {
        List<ProviderInfo> infos = new ArrayList<>();
        for (ProviderService p : providers) {
            infos.add(p.info());
        }
        infos.sort(Comparator.comparing(ProviderInfo::id));
        if (infos.isEmpty()) {
            return "No providers. Drop a moryflow.provider.openai-<id>.cfg file into deploy/ (see deploy/*.example).\n";
        }
        TextTable t = new TextTable("ID", "NAME", "PROTOCOL", "BASE URL", "TRANSPORT", "KEY", "MODELS");
        StringBuilder degraded = new StringBuilder();
        int healthy = 0;
        for (ProviderInfo i : infos) {
            t.row(i.id(), i.name(), i.protocol(), i.baseUrl(), i.transport().label(), keyText(i.keyState()),
                    modelCount(i.id()));
            dev.moryflow.chat.ProviderHealth h = chatService.health(i.id());
            if (h.degraded()) {
                degraded.append("  ").append(i.id()).append(": ").append(h.describe()).append('\n');
            } else {
                healthy++;
            }
        }
        // health below the table: a column would make the table wrap on a terminal of 100 columns
        return t + "Health: " + (degraded.length() == 0 ? "all healthy"
                : healthy + " healthy, " + (infos.size() - healthy) + " degraded (tried last by routes)") + "\n"
                + degraded;
    }

    private int modelCount(String providerId) {
        return (int) chatService.models().stream().filter(m -> m.providerId().equals(providerId)).count();
    }

    static String keyText(KeyState state) {
        switch (state) {
            case PRESENT:
                return "set";
            case MISSING:
                return "needs key";
            case HELD:
                return "held: base URL moved";
            default:
                return "not needed";
        }
    }

    @Descriptor("list every routable model: the name to use, display name, provider, context window and capabilities")
    public void models() {
        Printed.print(modelTable());
    }

    /** @return what {@code moryflow:models} prints */
    String modelTable() {
        List<RoutedModel> models = chatService.models();
        StringBuilder out = new StringBuilder();
        if (models.isEmpty()) {
            out.append("No routable models. Add a provider with a models list, then check `moryflow:providers`.\n");
        } else {
            TextTable t = new TextTable("MODEL", "NAME", "PROVIDER", "CONTEXT", "CAPABILITIES");
            for (RoutedModel m : models) {
                ModelInfo info = m.model();
                t.row(m.qualifiedName(), info.displayName(), m.providerName(),
                        info.contextWindow() == ModelInfo.UNKNOWN ? "?" : info.contextWindow(),
                        info.capabilities().stream().map(Capability::tag).collect(Collectors.joining(",")));
            }
            out.append(t);
        }
        for (dev.moryflow.chat.OrphanedModel o : chatService.orphanedModels()) {
            out.append(o.providerId()).append('/').append(o.modelId()).append(": ").append(o.status()).append('\n');
        }
        if (!chatService.routes().isEmpty()) {
            out.append(routeTable());
        }
        return out.toString();
    }

    @Descriptor("list the routes (moryflow.route): each alias, its targets in the order tried, and whether it is routable")
    public void routes() {
        Printed.print(routeTable());
    }

    /** @return what {@code moryflow:routes} prints */
    String routeTable() {
        List<dev.moryflow.chat.RouteDefinition> routes = chatService.routes();
        if (routes.isEmpty()) {
            return "No routes. Drop a moryflow.route-<alias>.cfg file with targets=<provider/model>,... into deploy/.\n";
        }
        TextTable t = new TextTable("ROUTE", "TARGETS", "RETRY ON", "STATUS");
        for (dev.moryflow.chat.RouteDefinition r : routes) {
            t.row(r.alias(), String.join(", ", r.targets()), String.join(",", new java.util.TreeSet<>(r.retryOn())),
                    r.routable() ? "routable" : "refused: " + r.refused());
        }
        return t.toString();
    }

    @Descriptor("send a message to a model and print the answer as it arrives")
    public void chat(CommandSession session,
            @Descriptor("print the answer only when complete") @Parameter(names = { "-w", "--whole" },
                    presentValue = "true", absentValue = "false") boolean whole,
            @Descriptor("the model: provider/model, a model id or a route's alias") String model,
            @Descriptor("the message") String... message) {
        chat(session.getConsole(), whole, model, String.join(" ", message));
    }

    /** Runs one chat, printing to {@code out}; returns when the answer is complete, failed or interrupted. */
    void chat(PrintStream out, boolean whole, String model, String message) {
        if (message.isBlank()) {
            out.println("error: no message given. Usage: moryflow:chat <model> <message…>");
            return;
        }
        ChatRequest request;
        try {
            request = ChatRequest.of(model, message);
        } catch (IllegalArgumentException e) {
            out.println("error: " + e.getMessage());
            return;
        }
        long start = System.nanoTime();
        if (whole) {
            try {
                ChatResponse r = chatService.chat(request);
                out.println(r.content());
                out.println(footer(r, start));
            } catch (ProviderException e) {
                printError(out, e);
            }
            return;
        }
        streamTo(out, request, start);
    }

    private void streamTo(PrintStream out, ChatRequest request, long start) {
        BlockingQueue<Object> arrivals = new LinkedBlockingQueue<>();
        List<String> tried = new java.util.concurrent.CopyOnWriteArrayList<>();
        StreamHandle handle = chatService.stream(request, new ChatStreamListener() {
            @Override
            public void onAttempts(String route, List<String> attempts) {
                tried.addAll(attempts);
            }

            @Override
            public void onChunk(ChatChunk chunk) {
                arrivals.add(chunk);
            }

            @Override
            public void onComplete(ChatResponse response) {
                arrivals.add(response);
            }

            @Override
            public void onError(ProviderException error) {
                arrivals.add(error);
            }
        });
        try {
            while (true) {
                Object next = arrivals.take();
                if (next instanceof ChatChunk) {
                    out.print(((ChatChunk) next).content());
                    out.flush();
                } else if (next instanceof ChatResponse) {
                    out.println();
                    out.println(footer((ChatResponse) next, start) + (tried.size() > 1 ? " [tried "
                            + String.join(", ", tried) + "]" : ""));
                    return;
                } else {
                    out.println();
                    printError(out, (ProviderException) next);
                    return;
                }
            }
        } catch (InterruptedException e) {
            handle.cancel();
            out.println();
            out.println("[cancelled]");
            Thread.currentThread().interrupt();
        }
    }

    private String footer(ChatResponse r, long startNanos) {
        StringBuilder sb = new StringBuilder("[").append(r.providerId()).append('/').append(r.model());
        Usage u = r.usage();
        if (u != null) {
            sb.append(", ").append(u.promptTokens()).append(" prompt + ").append(u.completionTokens())
                    .append(" completion tokens");
        }
        sb.append(", ").append((System.nanoTime() - startNanos) / 1_000_000L).append(" ms]");
        return sb.toString();
    }

    static void printError(PrintStream out, ProviderException e) {
        out.println("error" + (e.providerId() == null ? "" : " from provider '" + e.providerId() + "'") + ": "
                + e.problem().title() + ": " + e.getMessage());
        out.println("fix: " + e.hint());
    }
}
