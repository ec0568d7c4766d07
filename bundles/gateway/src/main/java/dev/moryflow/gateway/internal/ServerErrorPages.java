package dev.moryflow.gateway.internal;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the answers the HTTP server itself gives before any servlet runs (a request it cannot parse: 400, headers
 * too large: 431, a URI too long: 414, a path no context serves: 404) OpenAI-shaped JSON instead of Jetty's HTML
 * page. Felix HTTP Jetty's one hook to the server is its {@code ConnectorFactory} service, given the
 * {@code Server}: {@link JettyErrorPages} sets the server's error handler there. Without Felix HTTP Jetty (another
 * HTTP service) nothing is registered and the server keeps its own pages.
 */
@Component(immediate = true, service = {})
public class ServerErrorPages {

    private static final String CONNECTOR_FACTORY = "org.apache.felix.http.jetty.ConnectorFactory";

    private final Logger logger = LoggerFactory.getLogger(ServerErrorPages.class);
    private final ServiceRegistration<?> registration;
    private final JettyErrorPages pages;

    @Activate
    public ServerErrorPages(BundleContext context) {
        JettyErrorPages p = null;
        ServiceRegistration<?> r = null;
        try {
            Class.forName(CONNECTOR_FACTORY, false, ServerErrorPages.class.getClassLoader());
            p = new JettyErrorPages();
            r = context.registerService(CONNECTOR_FACTORY, p, null);
        } catch (ClassNotFoundException | LinkageError e) {
            logger.debug("Not on Felix HTTP Jetty: the HTTP server keeps its own error pages ({})", e.toString());
        }
        this.pages = p;
        this.registration = r;
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the bundle is stopping
            }
            pages.restore();
        }
    }
}
