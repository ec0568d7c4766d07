package dev.moryflow.gateway.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
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

    private final transient Logger logger = LoggerFactory.getLogger(OpenAiServlet.class);
    private final transient ChatService chat;
    private final transient OpenAiWire wire = new OpenAiWire();
    private final AtomicLong sequence = new AtomicLong();
    private volatile int maxBodyBytes;

    @Activate
    public OpenAiServlet(@Reference ChatService chat, GatewayConfig config) {
        this.chat = chat;
        modified(config);
    }

    @Modified
    void modified(GatewayConfig config) {
        this.maxBodyBytes = Math.max(1, config.maxRequestKilobytes()) * 1024;
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
            send(resp, 200, wire.models(listed, System.currentTimeMillis() / 1000,
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
        byte[] body = readBody(req, resp);
        if (body == null) {
            return;
        }
        ParsedRequest parsed;
        try {
            parsed = wire.parseChatRequest(body);
        } catch (WireException e) {
            send(resp, 400, wire.error(e.getMessage(), "invalid_request_error", e.param(), null));
            return;
        }
        String id = "chatcmpl-mf" + Long.toHexString(System.nanoTime()) + Long.toHexString(sequence.incrementAndGet());
        long created = System.currentTimeMillis() / 1000;
        if (parsed.stream) {
            stream(req, resp, parsed, id, created);
            return;
        }
        try {
            ChatResponse answer = chat.chat(parsed.chat);
            resp.setHeader(PROVIDER_HEADER, answer.providerId());
            // the upstream's own JSON when the provider speaks this protocol (only model set to the client's name)
            send(resp, 200, answer.hasRaw() ? wire.passedThrough(answer.raw(), parsed.chat.model())
                    : wire.completion(answer, id, created));
        } catch (ProviderException e) {
            sendFailure(resp, e);
        }
    }

    private void stream(HttpServletRequest req, HttpServletResponse resp, ParsedRequest parsed, String id,
            long created) throws IOException {
        AsyncContext async = req.startAsync();
        async.setTimeout(0);
        ServletOutputStream out = resp.getOutputStream();
        SseWriter writer = new SseWriter(async, resp, out, parsed, id, created);
        async.addListener(writer);
        writer.attach(chat.stream(parsed.chat, writer));
    }

    /** Writes one stream's events as they arrive, on the HTTP client's thread; ends the async request once. */
    private final class SseWriter implements ChatStreamListener, AsyncListener {
        private final AsyncContext async;
        private final HttpServletResponse resp;
        private final ServletOutputStream out;
        private final ParsedRequest parsed;
        private final String id;
        private final long created;
        private final AtomicBoolean ended = new AtomicBoolean();
        private volatile StreamHandle handle;
        private boolean started;
        /** Whether the upstream's events were handed on as it sent them (then its usage chunk was too, if asked). */
        private boolean passedThrough;
        private final String model;

        SseWriter(AsyncContext async, HttpServletResponse resp, ServletOutputStream out, ParsedRequest parsed,
                String id, long created) {
            this.async = async;
            this.resp = resp;
            this.out = out;
            this.parsed = parsed;
            this.id = id;
            this.created = created;
            this.model = parsed.chat.model();
        }

        void attach(StreamHandle h) {
            this.handle = h;
            if (ended.get()) {
                h.cancel();
            }
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
            if (ended.get()) {
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
            if (ended.get()) {
                return;
            }
            if (response.providerId() != null && !started) {
                resp.setHeader(PROVIDER_HEADER, response.providerId());
            }
            start();
            boolean sent = parsed.includeUsage && response.usage() != null && !passedThrough
                    ? send(wire.usageEvent(response.usage(), id, created,
                            response.model() == null ? model : response.model()), OpenAiWire.DONE)
                    : send(OpenAiWire.DONE);
            if (sent) {
                end();
            }
        }

        @Override
        public void onError(ProviderException error) {
            if (ended.get()) {
                return;
            }
            ErrorMapping.Answer answer = ErrorMapping.answer(error, wire);
            boolean sent;
            if (!started && answer.status != 200) {
                started = true;
                if (error.providerId() != null) {
                    resp.setHeader(PROVIDER_HEADER, error.providerId());
                }
                answer.headers.forEach(resp::setHeader);
                resp.setStatus(answer.status);
                resp.setContentType(JSON);
                resp.setContentLength(answer.body.length);
                sent = send(answer.body);
            } else {
                // the upstream reported it inside its event stream: so does the hub, as an event
                start();
                sent = send(wire.errorEvent(answer.body), OpenAiWire.DONE);
            }
            if (sent) {
                end();
            }
        }

        /** Writes and flushes; a failed write means the client left: cancels upstream, ends the request. */
        private boolean send(byte[]... parts) {
            try {
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

        private void clientGone(Exception e) {
            logger.debug("Stream {} ended by its client: {}", id, e.toString());
            StreamHandle h = handle;
            if (h != null) {
                h.cancel();
            }
            end();
        }

        private void end() {
            if (ended.compareAndSet(false, true)) {
                try {
                    async.complete();
                } catch (IllegalStateException alreadyDone) {
                    // the container ended the request first (client gone, or shutting down)
                }
            }
        }

        @Override
        public void onComplete(AsyncEvent event) {
            ended.set(true);
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

    private byte[] readBody(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        long declared = req.getContentLengthLong();
        if (declared > maxBodyBytes) {
            tooLarge(resp);
            return null;
        }
        try (InputStream in = req.getInputStream()) {
            byte[] body = in.readNBytes(maxBodyBytes + 1);
            if (body.length > maxBodyBytes) {
                tooLarge(resp);
                return null;
            }
            return body;
        }
    }

    private void tooLarge(HttpServletResponse resp) throws IOException {
        send(resp, 413, wire.error("The request body is larger than " + (maxBodyBytes / 1024) + " KiB. Send "
                + "smaller images or a shorter conversation, or raise maxRequestKilobytes of configuration "
                + "moryflow.gateway.", "invalid_request_error", null, "request_too_large"));
    }

    /** A failed whole chat: the upstream's status, error object and rate-limit headers, or the hub's mapping. */
    private void sendFailure(HttpServletResponse resp, ProviderException e) throws IOException {
        ErrorMapping.Answer answer = ErrorMapping.answer(e, wire);
        if (e.providerId() != null) {
            resp.setHeader(PROVIDER_HEADER, e.providerId());
        }
        answer.headers.forEach(resp::setHeader);
        send(resp, answer.status, answer.body);
    }

    private void notFound(HttpServletRequest req, HttpServletResponse resp) throws IOException {
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
