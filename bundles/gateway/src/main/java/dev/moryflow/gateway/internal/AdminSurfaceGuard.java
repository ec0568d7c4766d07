package dev.moryflow.gateway.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.servlet.whiteboard.Preprocessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The one check in front of every path of the hub, the Web Console's included: an HTTP Whiteboard
 * {@link Preprocessor} runs before any servlet context. It refuses a request whose Host header is not one of the
 * hub's (DNS rebinding) and a state-changing request sent by another site's page (its {@code Origin} or
 * {@code Referer}); the rules are {@link GuardRules}. A refusal is answered 403 with an OpenAI-shaped error, and no
 * servlet sees the request. Settings: {@code allowedHosts} and {@code cors} of {@code moryflow.gateway}.
 */
@Component(service = Preprocessor.class, configurationPid = GatewayConfig.PID)
public class AdminSurfaceGuard implements Preprocessor {

    /** The framework property naming the address Felix HTTP binds to. */
    static final String HTTP_HOST = "org.apache.felix.http.host";
    /** The most of a refused request's body that is read (and thrown away) before the answer. */
    private static final long DRAIN_LIMIT = 1 << 20;
    /** How many distinct refused hosts or origins get a WARN line of their own; later ones are logged at DEBUG. */
    private static final int LOGGED_AT_WARN = 50;

    private final Logger logger = LoggerFactory.getLogger(AdminSurfaceGuard.class);
    private final OpenAiWire wire = new OpenAiWire();
    private final String boundHost;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    /** This machine's names and addresses, found at the first request that needs them (a lookup may take time). */
    private volatile Set<String> machineNames;
    private volatile GuardRules rules;

    @Activate
    public AdminSurfaceGuard(BundleContext context, GatewayConfig config) {
        this.boundHost = context.getProperty(HTTP_HOST);
        configure(config);
    }

    @Modified
    void configure(GatewayConfig config) {
        machineNames = null;
        rules = new GuardRules(boundHost, Arrays.asList(config.allowedHosts()), this::machineNames,
                Arrays.asList(config.cors()));
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse resp, FilterChain chain)
            throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest) || !(resp instanceof HttpServletResponse)) {
            chain.doFilter(req, resp);
            return;
        }
        HttpServletRequest request = (HttpServletRequest) req;
        GuardRules.Verdict verdict = rules.check(new GuardRules.Request(request.getMethod(),
                request.getRequestURI(), request.getScheme(), request.getLocalPort(), request.getLocalAddr(),
                request.getHeader("Host"), request.getHeader("Origin"), request.getHeader("Referer"),
                request.getQueryString(), request.getHeader("Sec-Fetch-Site")));
        if (verdict.allowed()) {
            chain.doFilter(req, resp);
            return;
        }
        refuse(request, (HttpServletResponse) resp, verdict);
    }

    private void refuse(HttpServletRequest request, HttpServletResponse response, GuardRules.Verdict verdict)
            throws IOException {
        String key = verdict.code() + " " + verdict.refused();
        if (warned.size() < LOGGED_AT_WARN && warned.add(key)) {
            logger.warn("{} (from {}; further refusals of the same are logged at DEBUG)", verdict.message(),
                    request.getRemoteAddr());
        } else {
            logger.debug("{} (from {})", verdict.message(), request.getRemoteAddr());
        }
        byte[] body = wire.error(verdict.message(), "invalid_request_error", null, verdict.code());
        boolean drained = RequestBodies.drain(request, DRAIN_LIMIT);
        response.resetBuffer();
        if (!drained) {
            response.setHeader("Connection", "close");
        }
        response.setStatus(HttpServletResponse.SC_FORBIDDEN);
        response.setContentType("application/json");
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
        response.flushBuffer();
    }

    /** Interface addresses and the host name, asked once (per configuration) and only when bound to all. */
    private Set<String> machineNames() {
        Set<String> known = machineNames;
        if (known != null) {
            return known;
        }
        Set<String> found = new HashSet<>();
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                    String text = a.getHostAddress();
                    int zone = text.indexOf('%');
                    found.add(zone >= 0 ? text.substring(0, zone) : text);
                }
            }
        } catch (SocketException | RuntimeException e) {
            logger.debug("Could not list this machine's network interfaces: {}", e.toString());
        }
        try {
            InetAddress local = InetAddress.getLocalHost();
            found.add(local.getHostName());
            String shortName = local.getHostName();
            if (shortName.indexOf('.') > 0) {
                found.add(shortName.substring(0, shortName.indexOf('.')));
            }
        } catch (UnknownHostException | RuntimeException e) {
            logger.debug("Could not read this machine's host name: {}", e.toString());
        }
        known = Set.copyOf(found);
        machineNames = known;
        return known;
    }
}
