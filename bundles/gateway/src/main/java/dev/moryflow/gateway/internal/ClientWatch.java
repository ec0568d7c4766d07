package dev.moryflow.gateway.internal;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Notices a client that closes its connection while its chat waits for the upstream, without waiting for the next
 * write to fail: an upstream silent for a minute must not keep a call, a connection slot and a thread for a client
 * that left. {@link #create()} gives the Jetty watch when Felix HTTP Jetty is there, else one that notices nothing
 * (the next write still does).
 */
interface ClientWatch extends AutoCloseable {

    /** What stops watching one request: called before the request completes (then its connection is Jetty's). */
    interface Watch {
        void stop();
    }

    /** A watch for when nothing can be watched. */
    Watch NONE = () -> {
        // nothing was watched
    };

    /**
     * Starts watching the connection of a request whose body has been read.
     *
     * @param request the request
     * @param onGone  run once, on the watch's own thread, when the client closed the connection; must be quick
     * @return what stops watching
     */
    Watch watch(HttpServletRequest request, Runnable onGone);

    @Override
    void close();

    /** @return the Jetty watch when Jetty's classes are wired to this bundle, else one that watches nothing */
    static ClientWatch create() {
        try {
            Class.forName("org.eclipse.jetty.ee10.servlet.ServletContextRequest", false,
                    ClientWatch.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return new ClientWatch() {
                @Override
                public Watch watch(HttpServletRequest request, Runnable onGone) {
                    return NONE;
                }

                @Override
                public void close() {
                    // nothing runs
                }
            };
        }
        return new JettyClientWatch();
    }
}
