package dev.moryflow.doctor.internal;

import java.io.IOException;
import java.util.Collection;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.moryflow.credentials.CredentialStore;
import dev.moryflow.events.EventProperties;
import dev.moryflow.events.Topics;
import dev.moryflow.http.HttpClients;
import dev.moryflow.provider.Diagnosis;
import dev.moryflow.provider.ProviderDoctor;
import dev.moryflow.provider.ProviderIds;
import dev.moryflow.provider.ProviderService;

/**
 * The {@link ProviderDoctor} service: finds the provider's configuration (of any provider factory
 * {@code moryflow.provider.*}, provider id by {@link ProviderIds}) and its {@link ProviderService}, runs a
 * {@link Doctor}, and posts {@code moryflow/provider/TESTED}.
 */
@Component(service = ProviderDoctor.class)
public class DoctorComponent implements ProviderDoctor {

    static final String OPENAI_FACTORY = "moryflow.provider.openai";
    static final String CREDENTIALS_PID = "moryflow.credentials";
    static final int DEFAULT_ROTATION_WARNING_DAYS = 90;

    private final Logger logger = LoggerFactory.getLogger(DoctorComponent.class);
    private final BundleContext context;
    private final ConfigurationAdmin configAdmin;
    private final EventAdmin eventAdmin;
    private final Doctor doctor;

    @Activate
    public DoctorComponent(BundleContext context, @Reference ConfigurationAdmin configAdmin,
            @Reference HttpClients http, @Reference CredentialStore store, @Reference EventAdmin eventAdmin) {
        this.context = context;
        this.configAdmin = configAdmin;
        this.eventAdmin = eventAdmin;
        this.doctor = new Doctor(http, store);
    }

    @Override
    public Diagnosis diagnose(String providerId, String model) {
        if (providerId == null || providerId.isBlank()) {
            throw new IllegalArgumentException("providerId is empty: name the provider to diagnose, for example groq");
        }
        String id = providerId.trim();
        ServiceReference<ProviderService> ref = service(id);
        ProviderService service = ref == null ? null : context.getService(ref);
        try {
            Doctor.Target target = new Doctor.Target(id, configuration(id), service, rotationWarningDays());
            Diagnosis d = doctor.run(target, model);
            post(d);
            logger.debug("Diagnosis of provider {}: {}", id, d);
            return d;
        } finally {
            if (service != null) {
                context.ungetService(ref);
            }
        }
    }

    private ServiceReference<ProviderService> service(String id) {
        if (!ProviderIds.isValid(id)) {
            return null;
        }
        try {
            Collection<ServiceReference<ProviderService>> refs = context.getServiceReferences(ProviderService.class,
                    "(" + ProviderService.PROVIDER_ID + "=" + escape(id) + ")");
            ServiceReference<ProviderService> best = null;
            for (ServiceReference<ProviderService> r : refs) {
                if (best == null || r.compareTo(best) > 0) {
                    best = r;
                }
            }
            return best;
        } catch (InvalidSyntaxException e) {
            return null;
        }
    }

    private Map<String, Object> configuration(String id) {
        try {
            // every provider bundle's factory (moryflow.provider.openai, moryflow.provider.anthropic, ...): ids are
            // one namespace across them
            Configuration[] configs = configAdmin.listConfigurations("(service.factoryPid="
                    + ProviderIds.FACTORY_PREFIX + "*)");
            if (configs == null) {
                return null;
            }
            for (Configuration c : configs) {
                Dictionary<String, Object> p = c.getProperties();
                String cid = ProviderIds.of(c.getPid());
                if (id.equals(cid)) {
                    Map<String, Object> m = Doctor.toMap(p);
                    m.remove("apiKey"); // never carried along, even if it has not been moved into the store yet
                    return m;
                }
            }
        } catch (IOException | InvalidSyntaxException e) {
            logger.debug("Could not list provider configurations: {}", e.getMessage());
        }
        return null;
    }

    private int rotationWarningDays() {
        try {
            Configuration[] c = configAdmin.listConfigurations("(service.pid=" + CREDENTIALS_PID + ")");
            if (c != null && c.length > 0 && c[0].getProperties() != null) {
                Object v = c[0].getProperties().get("rotationWarningDays");
                if (v instanceof Number) {
                    return ((Number) v).intValue();
                }
                if (v != null) {
                    return Integer.parseInt(v.toString().trim());
                }
            }
        } catch (IOException | InvalidSyntaxException | NumberFormatException e) {
            logger.debug("rotationWarningDays not readable, using {}: {}", DEFAULT_ROTATION_WARNING_DAYS,
                    e.getMessage());
        }
        return DEFAULT_ROTATION_WARNING_DAYS;
    }

    private void post(Diagnosis d) {
        Map<String, Object> props = new HashMap<>();
        props.put(EventProperties.PROVIDER_ID, d.providerId());
        if (d.model() != null) {
            props.put(EventProperties.MODEL, d.model());
        }
        props.put(EventProperties.OK, d.ok());
        if (!d.ok()) {
            props.put(EventProperties.PROBLEM, d.problem() == null ? "UNKNOWN" : d.problem().name());
        }
        props.put(EventProperties.DURATION_MS, d.durationMs());
        eventAdmin.postEvent(new Event(Topics.PROVIDER_TESTED, props));
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("*", "\\*").replace("(", "\\(").replace(")", "\\)");
    }
}
