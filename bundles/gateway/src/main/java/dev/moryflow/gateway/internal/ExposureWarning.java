package dev.moryflow.gateway.internal;

import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.servlet.runtime.HttpServiceRuntime;
import org.osgi.service.servlet.runtime.HttpServiceRuntimeConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.moryflow.http.ConfigValues;

/**
 * Says so (WARN, once for each set of addresses) when the HTTP server the hub is served by answers beyond this
 * machine: an {@code org.apache.felix.http.host} left out (Felix HTTP then listens on every interface, as with a
 * Karaf user's own {@code etc/org.apache.felix.http.cfg} without a host) or set to another address. Read from the
 * servlet runtime's {@code osgi.http.endpoint}, which names the addresses it is reachable on. Nothing is refused: the
 * Web Console still asks for its password and the API for its token, and an exposed hub may be what the user wants.
 */
@Component(immediate = true)
public class ExposureWarning {

    private final Logger logger = LoggerFactory.getLogger(ExposureWarning.class);
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindRuntime(HttpServiceRuntime runtime, Map<String, Object> properties) {
        check(properties);
    }

    void updatedRuntime(HttpServiceRuntime runtime, Map<String, Object> properties) {
        check(properties);
    }

    void unbindRuntime(HttpServiceRuntime runtime) {
        // nothing kept per runtime
    }

    private void check(Map<String, Object> properties) {
        List<String> open = beyondThisMachine(properties.get(HttpServiceRuntimeConstants.HTTP_SERVICE_ENDPOINT));
        if (!open.isEmpty() && warned.add(String.join(" ", open))) {
            logger.warn("The hub's HTTP server answers beyond this machine, on {}: the API, /chat and the Web Console "
                    + "can be reached from the network (each still asks for its token or password). To keep it on "
                    + "this machine set org.apache.felix.http.host = 127.0.0.1 where the host was set (Felix "
                    + "distribution: deploy/org.apache.felix.http.cfg or conf/config.properties; Karaf: "
                    + "etc/org.apache.felix.http.cfg).", String.join(", ", open));
        }
    }

    /**
     * @param endpoint the runtime's {@code osgi.http.endpoint}: a URL, or an array or collection of them
     * @return those whose host is not a loopback address or {@code localhost}, in order
     */
    static List<String> beyondThisMachine(Object endpoint) {
        List<String> all = new ArrayList<>();
        if (endpoint instanceof String) {
            all.add((String) endpoint);
        } else if (endpoint instanceof String[]) {
            all.addAll(Arrays.asList((String[]) endpoint));
        } else if (endpoint instanceof Collection) {
            ((Collection<?>) endpoint).forEach(e -> all.add(String.valueOf(e)));
        }
        List<String> open = new ArrayList<>();
        for (String e : all) {
            String host;
            try {
                host = URI.create(e.trim()).getHost();
            } catch (IllegalArgumentException notAUrl) {
                continue;
            }
            // an IPv6 host comes in brackets from a URL
            if (host != null && !ConfigValues.isLoopback(host.startsWith("[") && host.endsWith("]")
                    ? host.substring(1, host.length() - 1) : host)) {
                open.add(e.trim());
            }
        }
        return open;
    }
}
