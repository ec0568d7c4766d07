package dev.moryflow.gateway.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import org.osgi.service.servlet.context.ServletContextHelper;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardContext;

import dev.moryflow.credentials.CredentialStore;

/** The servlet context of the OpenAI-compatible API at {@code /v1}, behind the gateway token. */
@Component(service = ServletContextHelper.class, scope = ServiceScope.BUNDLE, configurationPid = GatewayConfig.PID)
@HttpWhiteboardContext(name = GatewayContext.NAME, path = "/v1")
public class GatewayContext extends TokenContext {

    /** Name of this servlet context, for {@code osgi.http.whiteboard.context.select}. */
    public static final String NAME = "moryflow.v1";

    @Activate
    public GatewayContext(@Reference CredentialStore store, GatewayConfig config) {
        super(store, config);
    }

    @Modified
    void modified(GatewayConfig config) {
        configure(config);
    }
}
