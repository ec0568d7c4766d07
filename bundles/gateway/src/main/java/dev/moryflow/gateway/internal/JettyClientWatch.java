package dev.moryflow.gateway.internal;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.http.HttpServletRequest;

/**
 * The {@link ClientWatch} over Felix HTTP Jetty 12: the request's socket is registered, for reading, with one
 * selector of its own (besides Jetty's, which does not read a connection while its request is handled). The socket
 * turning readable with nothing to read means the client closed it (FIN or reset): the watch fires. Bytes to read
 * (a request pipelined behind this one, which HTTP/1.1 clients do not do for POST, or a TLS alert) are left for
 * Jetty and the watch of that request ends: the next write notices a client that has gone, as without a watch.
 */
final class JettyClientWatch implements ClientWatch, Runnable {

    private final Logger logger = LoggerFactory.getLogger(JettyClientWatch.class);
    private final Selector selector;
    private final Queue<Entry> added = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean closed;

    JettyClientWatch() {
        Selector s;
        try {
            s = Selector.open();
        } catch (IOException e) {
            logger.warn("Cannot watch client connections ({}); a client that leaves is noticed at the next write",
                    e.toString());
            s = null;
        }
        this.selector = s;
        this.thread = new Thread(this, "moryflow-client-watch");
        thread.setDaemon(true);
        if (s != null) {
            thread.start();
        }
    }

    @Override
    public Watch watch(HttpServletRequest request, Runnable onGone) {
        SocketChannel channel = channelOf(request);
        if (channel == null || selector == null || closed) {
            return NONE;
        }
        Entry e = new Entry(channel, onGone);
        added.add(e);
        selector.wakeup();
        return e;
    }

    private SocketChannel channelOf(HttpServletRequest request) {
        try {
            ServletContextRequest r = ServletContextRequest.getServletContextRequest(request);
            EndPoint endPoint = r == null ? null : r.getConnectionMetaData().getConnection().getEndPoint();
            Object transport = endPoint == null ? null : endPoint.getTransport();
            return transport instanceof SocketChannel ? (SocketChannel) transport : null;
        } catch (RuntimeException | LinkageError e) {
            logger.debug("The connection of a request cannot be watched: {}", e.toString());
            return null;
        }
    }

    @Override
    public void run() {
        while (!closed) {
            try {
                selector.select(1000); // a backstop: cancelled keys are flushed at least once a second
                register();
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    ((Entry) key.attachment()).readable(key);
                }
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    logger.warn("Watching client connections failed once: {}", e.toString());
                }
            }
        }
    }

    private void register() {
        Entry e;
        while ((e = added.poll()) != null) {
            if (e.stopped.get()) {
                continue;
            }
            try {
                e.key = e.channel.register(selector, SelectionKey.OP_READ, e);
                if (e.stopped.get()) {
                    e.key.cancel(); // stopped while being registered
                }
            } catch (ClosedChannelException | RuntimeException gone) {
                // closed before it could be watched: Jetty has noticed, the next write will too
                e.stopped.set(true);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        if (selector != null) {
            selector.wakeup();
            try {
                thread.join(2000);
                selector.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                logger.debug("Closing the client watch: {}", e.toString());
            }
        }
    }

    /** One watched request. */
    private final class Entry implements Watch {
        final SocketChannel channel;
        final Runnable onGone;
        final AtomicBoolean stopped = new AtomicBoolean();
        /** Set on the watch's thread when registered; read by {@link #stop()} on the request's. */
        volatile SelectionKey key;

        Entry(SocketChannel channel, Runnable onGone) {
            this.channel = channel;
            this.onGone = onGone;
        }

        void readable(SelectionKey k) {
            k.cancel();
            int waiting;
            try {
                waiting = channel.socket().getInputStream().available();
            } catch (IOException e) {
                waiting = 0; // reset or closed
            }
            if (waiting == 0 && stopped.compareAndSet(false, true)) {
                try {
                    onGone.run();
                } catch (RuntimeException e) {
                    logger.warn("Ending the chat of a client that left failed", e);
                }
            }
        }

        @Override
        public void stop() {
            if (stopped.compareAndSet(false, true)) {
                SelectionKey k = key;
                if (k != null) {
                    k.cancel();
                    selector.wakeup();
                }
            }
        }
    }
}
