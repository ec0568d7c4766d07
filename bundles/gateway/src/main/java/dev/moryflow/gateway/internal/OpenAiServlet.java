package dev.moryflow.gateway.internal;

import java.io.IOException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardContextSelect;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletAsyncSupported;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.moryflow.chat.ChatService;
import dev.moryflow.provider.ChatChunk;
import dev.moryflow.provider.ChatResponse;
import dev.moryflow.provider.ChatStreamListener;
import dev.moryflow.provider.ProviderException;
import dev.moryflow.provider.StreamHandle;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The OpenAI-compatible API: {@code GET /v1/models} and {@code POST /v1/chat/completions}, whole or streamed as
 * server-sent events. Model names resolve through the {@link ChatService}; streamed chunks are written and flushed
 * as they arrive, and a client that goes away cancels the upstream request. The client's body is handed to the
 * provider as sent, and an upstream's JSON (whole, or each event) comes back as it sent it with only {@code model}
 * set to the name the client used; answers without it (other protocols) are written by {@link OpenAiWire}.
 */
@Component(service = Servlet.class, configurationPid = GatewayConfig.PID)
@HttpWhiteboardServletPattern("/*")
@HttpWhiteboardServletName("moryflow-openai-api")
@HttpWhiteboardServletAsyncSupported
@HttpWhiteboardContextSelect("(osgi.http.whiteboard.context.name=" + GatewayContext.NAME + ")")
public class OpenAiServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final String JSON = "application/json";
    /** Names the provider that answered, on whole and streamed answers and on failures a provider reported. */
    static final String PROVIDER_HEADER = "X-MoryFlow-Provider";
    /** Names the targets a chat of an alias tried, in order, when it tried more than one (a fallback happened). */
    static final String ROUTE_ATTEMPTS_HEADER = "X-MoryFlow-Route-Attempts";
    /** The most of a refused body read so that its client reads the refusal. */
    private static final long DRAIN_LIMIT = 64L * 1024 * 1024;

    private final transient Logger logger = LoggerFactory.getLogger(OpenAiServlet.class);
    private final transient ChatService chat;
    private final transient OpenAiWire wire = new OpenAiWire();
    private final transient ClientWatch watch = ClientWatch.create();
    private final AtomicLong sequence = new AtomicLong();
    /** The idle checks of request bodies still arriving; a body read to its end takes its entry out at once. */
    private final transient ScheduledThreadPoolExecutor timer = bodyTimer();
    private volatile int maxBodyBytes;
    private volatile long bodyIdleMillis;

    @Activate
    public OpenAiServlet(@Reference ChatService chat, GatewayConfig config) {
        this.chat = chat;
        modified(config);
    }

    @Modified
    void modified(GatewayConfig config) {
        this.maxBodyBytes = Math.max(1, config.maxRequestKilobytes()) * 1024;
        this.bodyIdleMillis = Math.max(1, config.requestBodyTimeoutSeconds()) * 1000L;
    }

    @Deactivate
    void deactivate() {
        watch.close();
        timer.shutdownNow();
    }

    /** Every method but GET and POST: an OpenAI-shaped 405 (the servlet default is an empty page). */
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        String method = req.getMethod();
        if ("GET".equals(method) || "POST".equals(method)) {
            super.service(req, resp);
            return;
        }
        if (!RequestBodies.drain(req, DRAIN_LIMIT)) {
            resp.setHeader("Connection", "close");
        }
        resp.setHeader("Allow", "GET, POST");
        send(resp, 405, wire.error("Method " + method + " is not allowed on /v1" + (req.getPathInfo() == null ? ""
                : req.getPathInfo()) + ". This hub serves GET /v1/models and POST /v1/chat/completions.",
                "invalid_request_error", null, "method_not_allowed"));
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if ("/models".equals(req.getPathInfo())) {
            // by default only the models that can answer now; ?all=true lists every one, each with its status
            boolean all = "true".equalsIgnoreCase(req.getParameter("all"));
            java.util.Map<String, java.util.Optional<String>> why = new java.util.HashMap<>();
            java.util.List<dev.moryflow.chat.RoutedModel> listed = new java.util.ArrayList<>();
            for (dev.moryflow.chat.RoutedModel m : chat.models()) {
                if (all || why.computeIfAbsent(m.providerId(), chat::unavailable).isEmpty()) {
                    listed.add(m);
                }
            }
            java.util.List<dev.moryflow.chat.RouteDefinition> routes = new java.util.ArrayList<>();
            for (dev.moryflow.chat.RouteDefinition r : chat.routes()) {
                if (all || r.routable()) {
                    routes.add(r);
                }
            }
            send(resp, 200, wire.models(listed, routes, System.currentTimeMillis() / 1000,
                    all ? id -> why.computeIfAbsent(id, chat::unavailable) : null));
        } else {
            notFound(req, resp);
        }
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (!"/chat/completions".equals(req.getPathInfo())) {
            notFound(req, resp);
            return;
        }
        long declared = req.getContentLengthLong();
        if (declared > DRAIN_LIMIT) {
            resp.setHeader("Connection", "close");
            send(resp, 413, tooLargeError());
            return;
        }
        // the body is read as it arrives (no thread waits for a slow client), then the chat is asynchronous too:
        // no thread waits for the upstream, and a client that leaves cancels it
        AsyncContext async = req.startAsync();
        async.setTimeout(0);
        BodyReader.read(async, declared, maxBodyBytes, DRAIN_LIMIT, bodyIdleMillis, timer, new BodyReader.Receiver() {
            @Override
            public void received(byte[] body) {
                chat(req, resp, async, body);
            }

            @Override
            public void tooLarge(boolean drained) {
                if (!drained) {
                    resp.setHeader("Connection", "close");
                }
                answer(async, resp, 413, tooLargeError());
            }

            @Override
            public void stalled(long idleMillis) {
                logger.debug("A request body stopped arriving for {} ms: answered 408", idleMillis);
                resp.setHeader("Connection", "close");
                answer(async, resp, 408, wire.error("The request body stopped arriving: nothing came for "
                        + (idleMillis / 1000) + " s before its end. Send the whole body at once, or raise "
                        + "requestBodyTimeoutSeconds of configuration moryflow.gateway.", "invalid_request_error",
                        null, "request_timeout"));
            }

            @Override
            public void failed(Throwable cause) {
                logger.debug("A client left while it sent its request body: {}", cause.toString());
                complete(async);
            }
        });
    }

    /** Starts the chat of a request whose body has been read, on a container thread. */
    private void chat(HttpServletRequest req, HttpServletResponse resp, AsyncContext async, byte[] body) {
        ParsedRequest parsed;
        try {
            parsed = wire.parseChatRequest(body);
        } catch (WireException e) {
            answer(async, resp, 400, wire.error(e.getMessage(), "invalid_request_error", e.param(), null));
            return;
        }
        String id = "chatcmpl-mf" + Long.toHexString(System.nanoTime()) + Long.toHexString(sequence.incrementAndGet());
        long created = System.currentTimeMillis() / 1000;
        if (parsed.stream) {
            SseWriter writer = new SseWriter(async, resp, parsed, id, created);
            writer.begin(req);
            writer.attach(chat.stream(parsed.chat, writer));
        } else {
            WholeWriter writer = new WholeWriter(async, resp, parsed, id, created);
            writer.begin(req);
            writer.attach(chat.chatAsync(parsed.chat, writer));
        }
    }

    /** Writes a short answer of the hub's own and ends the asynchronous request. */
    private void answer(AsyncContext async, HttpServletResponse resp, int status, byte[] body) {
        try {
            send(resp, status, body);
        } catch (IOException | RuntimeException e) {
            logger.debug("The client left before its {} answer: {}", status, e.toString());
        }
        complete(async);
    }

    private static void complete(AsyncContext async) {
        try {
            async.complete();
        } catch (IllegalStateException alreadyDone) {
            // the container ended the request first (client gone, or shutting down)
        }
    }

    /**
     * One chat's exchange with its client, answered asynchronously (no thread waits for the upstream): ends the
     * request once, and a client that leaves (noticed by the {@link ClientWatch} at once, or by a failed write)
     * cancels the upstream call.
     */
    private abstract class Exchange implements ChatStreamListener, AsyncListener {
        final AsyncContext async;
        final HttpServletResponse resp;
        final ParsedRequest parsed;
        final String model;
        final String id;
        final long created;
        private final AtomicBoolean ended = new AtomicBoolean();
        private volatile StreamHandle handle;
        private volatile ClientWatch.Watch watching = ClientWatch.NONE;

        Exchange(AsyncContext async, HttpServletResponse resp, ParsedRequest parsed, String id, long created) {
            this.id = id;
            this.created = created;
            this.async = async;
            this.resp = resp;
            this.parsed = parsed;
            this.model = parsed.chat.model();
        }

        /** Listens to the request's end and starts watching its client. */
        void begin(HttpServletRequest req) {
            async.addListener(this);
            watching = watch.watch(req, () -> clientGone(new IOException("the client closed the connection")));
        }

        void attach(StreamHandle h) {
            this.handle = h;
            if (ended.get()) {
                h.cancel();
            }
        }

        boolean ended() {
            return ended.get();
        }

        /** Writes and flushes; a failed write means the client left: cancels upstream, ends the request. */
        boolean send(byte[]... parts) {
            try {
                ServletOutputStream out = resp.getOutputStream();
                for (byte[] p : parts) {
                    out.write(p);
                }
                out.flush();
                return true;
            } catch (IOException | RuntimeException e) {
                clientGone(e);
                return false;
            }
        }

        /**
         * A chat of an alias names the targets it tried: told before anything is written (before the first chunk
         * or the end), so the header precedes the answer.
         */
        @Override
        public void onAttempts(String route, java.util.List<String> attempts) {
            if (attempts.size() > 1 && !resp.isCommitted()) {
                resp.setHeader(ROUTE_ATTEMPTS_HEADER, String.join(", ", attempts));
            }
        }

        /** Answers a failure with the upstream's status, error object and rate-limit headers, or the hub's. */
        boolean sendFailure(ProviderException error, ErrorMapping.Answer answer) {
            if (error.providerId() != null) {
                resp.setHeader(PROVIDER_HEADER, error.providerId());
            }
            answer.headers.forEach(resp::setHeader);
            resp.setStatus(answer.status);
            resp.setContentType(JSON);
            resp.setContentLength(answer.body.length);
            return send(answer.body);
        }

        void clientGone(Exception e) {
            if (ended.get()) {
                return;
            }
            logger.debug("Chat {} ended by its client: {}", model, e.toString());
            StreamHandle h = handle;
            if (h != null) {
                h.cancel();
            }
            end();
        }

        void end() {
            if (ended.compareAndSet(false, true)) {
                watching.stop(); // before the connection goes back to Jetty for the next request
                complete(async);
            }
        }

        @Override
        public void onComplete(AsyncEvent event) {
            ended.set(true);
            watching.stop();
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            clientGone(new IOException("async timeout"));
        }

        @Override
        public void onError(AsyncEvent event) {
            clientGone(new IOException("client connection failed", event.getThrowable()));
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            // not restarted
        }
    }

    /** A whole answer: the upstream's own JSON when the provider speaks this protocol, only model renamed. */
    private final class WholeWriter extends Exchange {
        WholeWriter(AsyncContext async, HttpServletResponse resp, ParsedRequest parsed, String id, long created) {
            super(async, resp, parsed, id, created);
        }

        @Override
        public void onChunk(ChatChunk chunk) {
            // a whole answer has none
        }

        @Override
        public void onComplete(ChatResponse answer) {
            if (ended()) {
                return;
            }
            resp.setHeader(PROVIDER_HEADER, answer.providerId());
            // the model as the client named it, as for an answer passed through and for every streamed chunk
            byte[] body = answer.hasRaw() ? wire.passedThrough(answer.raw(), model)
                    : wire.completion(answer.withOrigin(answer.providerId(), model), id, created);
            resp.setStatus(200);
            resp.setContentType(JSON);
            resp.setContentLength(body.length);
            if (send(body)) {
                end();
            }
        }

        @Override
        public void onError(ProviderException error) {
            if (!ended() && sendFailure(error, ErrorMapping.answer(error, wire))) {
                end();
            }
        }
    }

    /** Writes one stream's events as they arrive, on the HTTP client's thread. */
    private final class SseWriter extends Exchange {
        private boolean started;
        /** Whether the upstream's events were handed on as it sent them (then its usage chunk was too, if asked). */
        private boolean passedThrough;

        SseWriter(AsyncContext async, HttpServletResponse resp, ParsedRequest parsed, String id, long created) {
            super(async, resp, parsed, id, created);
        }

        private void start() {
            if (!started) {
                started = true;
                resp.setStatus(200);
                resp.setContentType("text/event-stream");
                resp.setCharacterEncoding("UTF-8");
                resp.setHeader("Cache-Control", "no-cache");
                resp.setHeader("X-Accel-Buffering", "no");
            }
        }

        @Override
        public void onProvider(String providerId) {
            // called before the request is sent, so before anything is written: the header precedes the first chunk
            if (!started && providerId != null) {
                resp.setHeader(PROVIDER_HEADER, providerId);
            }
        }

        @Override
        public void onChunk(ChatChunk chunk) {
            if (ended()) {
                return;
            }
            boolean first = !started;
            start();
            if (chunk.hasRaw()) {
                passedThrough = true;
                send(wire.passedThroughEvent(chunk.raw(), model));
            } else {
                send(wire.chunkEvent(chunk, id, created, model, first));
            }
        }

        @Override
        public void onComplete(ChatResponse response) {
            if (ended()) {
                return;
            }
            if (response.providerId() != null && !started) {
                resp.setHeader(PROVIDER_HEADER, response.providerId());
            }
            start();
            boolean sent = parsed.includeUsage && response.usage() != null && !passedThrough
                    ? send(wire.usageEvent(response.usage(), id, created, model), OpenAiWire.DONE)
                    : send(OpenAiWire.DONE);
            if (sent) {
                end();
            }
        }

        @Override
        public void onError(ProviderException error) {
            if (ended()) {
                return;
            }
            ErrorMapping.Answer answer = ErrorMapping.answer(error, wire);
            boolean sent;
            if (!started && answer.status != 200) {
                started = true;
                sent = sendFailure(error, answer);
            } else {
                // the upstream reported it inside its event stream: so does the hub, as an event
                start();
                sent = send(wire.errorEvent(answer.body), OpenAiWire.DONE);
            }
            if (sent) {
                end();
            }
        }
    }

    private static ScheduledThreadPoolExecutor bodyTimer() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "moryflow-gateway-body-timer");
            thread.setDaemon(true);
            return thread;
        });
        t.setRemoveOnCancelPolicy(true);
        return t;
    }

    private byte[] tooLargeError() {
        return wire.error("The request body is larger than " + (maxBodyBytes / 1024) + " KiB. Send smaller images "
                + "or a shorter conversation, or raise maxRequestKilobytes of configuration moryflow.gateway.",
                "invalid_request_error", null, "request_too_large");
    }

    private void notFound(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        // what the client still sends is read first: its connection stays usable for the next request
        if (!RequestBodies.drain(req, DRAIN_LIMIT)) {
            resp.setHeader("Connection", "close");
        }
        send(resp, 404, wire.error("No endpoint " + req.getMethod() + " /v1" + (req.getPathInfo() == null ? ""
                : req.getPathInfo()) + ". This hub serves GET /v1/models and POST /v1/chat/completions.",
                "invalid_request_error", null, "unknown_url"));
    }

    private static void send(HttpServletResponse resp, int status, byte[] body) throws IOException {
        resp.setStatus(status);
        resp.setContentType(JSON);
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }
}
