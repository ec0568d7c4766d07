package dev.moryflow.gateway.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardContextSelect;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletAsyncSupported;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import dev.moryflow.events.Topics;
import dev.moryflow.http.JsonValues;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * {@code GET /api/events}: the hub's events ({@code moryflow/*}) as server-sent events, one
 * {@code event: <topic>} with {@code data: {"topic", "properties"}} each, for as long as the client stays. Events
 * carry ids, counts and problem names, never keys or message content. Writes never block the event thread: each
 * client has a bounded queue drained by non-blocking output; a client that falls too far behind is dropped.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/events")
@HttpWhiteboardServletName("moryflow-events")
@HttpWhiteboardServletAsyncSupported
@HttpWhiteboardContextSelect("(osgi.http.whiteboard.context.name=" + ApiContext.NAME + ")")
public class EventsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    /** Events a client may have waiting before it is dropped. */
    static final int MAX_PENDING = 1000;

    private final transient BundleContext context;
    private final transient JsonFactory json = new JsonFactory();

    @Activate
    public EventsServlet(BundleContext context) {
        this.context = context;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setStatus(200);
        resp.setContentType("text/event-stream");
        resp.setCharacterEncoding("UTF-8");
        resp.setHeader("Cache-Control", "no-cache");
        AsyncContext async = req.startAsync();
        async.setTimeout(0);
        Client client = new Client(async, resp.getOutputStream());
        async.addListener(client);
        client.out.setWriteListener(client);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(EventConstants.EVENT_TOPIC, new String[] { Topics.ALL });
        client.registration = context.registerService(EventHandler.class, client, props);
        // only now: a client that acts on ": connected" must not miss the events its action causes
        client.offer(": connected to the MoryFlow hub's events\n\n".getBytes(StandardCharsets.UTF_8));
    }

    byte[] encode(Event event) {
        Map<String, Object> properties = new LinkedHashMap<>();
        for (String name : event.getPropertyNames()) {
            if (!name.equals(EventConstants.EVENT_TOPIC)) {
                properties.put(name, event.getProperty(name));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try {
            out.write(("event: " + event.getTopic() + "\ndata: ").getBytes(StandardCharsets.UTF_8));
            try (JsonGenerator g = json.createGenerator(out)) {
                g.writeStartObject();
                g.writeStringField("topic", event.getTopic());
                g.writeFieldName("properties");
                JsonValues.write(g, properties);
                g.writeEndObject();
            }
            out.write('\n');
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** One connected client: its event subscription, queue and non-blocking writer. */
    private final class Client implements EventHandler, WriteListener, AsyncListener {
        private final AsyncContext async;
        private final ServletOutputStream out;
        private final ArrayDeque<byte[]> pending = new ArrayDeque<>();
        private volatile ServiceRegistration<EventHandler> registration;
        private boolean closed;

        Client(AsyncContext async, ServletOutputStream out) {
            this.async = async;
            this.out = out;
        }

        @Override
        public void handleEvent(Event event) {
            offer(encode(event));
        }

        synchronized void offer(byte[] data) {
            if (closed) {
                return;
            }
            if (pending.size() >= MAX_PENDING) {
                close();
                return;
            }
            pending.add(data);
            if (out.isReady()) {
                drain();
            }
        }

        @Override
        public synchronized void onWritePossible() {
            drain();
        }

        private void drain() {
            try {
                while (!pending.isEmpty() && out.isReady()) {
                    out.write(pending.poll());
                    if (out.isReady()) {
                        out.flush();
                    }
                }
            } catch (IOException | IllegalStateException e) {
                close();
            }
        }

        @Override
        public void onError(Throwable t) {
            close();
        }

        private synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            pending.clear();
            ServiceRegistration<EventHandler> r = registration;
            if (r != null) {
                try {
                    r.unregister();
                } catch (IllegalStateException alreadyGone) {
                    // the bundle is stopping
                }
            }
            try {
                async.complete();
            } catch (IllegalStateException alreadyDone) {
                // the container ended the request first
            }
        }

        @Override
        public void onComplete(AsyncEvent event) {
            close();
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            close();
        }

        @Override
        public void onError(AsyncEvent event) {
            close();
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            // not restarted
        }
    }
}
