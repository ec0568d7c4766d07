package dev.moryflow.gateway.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import org.osgi.service.servlet.context.ServletContextHelper;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardContext;

import dev.moryflow.credentials.CredentialStore;

/** The servlet context of the management API at {@code /api}, behind the gateway token. */
@Component(service = ServletContextHelper.class, scope = ServiceScope.BUNDLE, configurationPid = GatewayConfig.PID)
@HttpWhiteboardContext(name = ApiContext.NAME, path = "/api")
public class ApiContext extends TokenContext {

    /** Name of this servlet context, for {@code osgi.http.whiteboard.context.select}. */
    public static final String NAME = "moryflow.api";

    @Activate
    public ApiContext(@Reference CredentialStore store, GatewayConfig config) {
        super(store, config);
    }

    @Modified
    void modified(GatewayConfig config) {
        configure(config);
    }
}
