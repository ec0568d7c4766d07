package dev.moryflow.gateway.internal;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.moryflow.credentials.CredentialStore;

/**
 * Makes sure the gateway has an access token: on the first start, when none is stored and none is on its way in
 * the {@code moryflow.gateway} configuration, creates one, stores it in the credential store and prints it once on
 * the console (standard output, not the log). Afterwards the token is only verified, never read back.
 */
@Component(service = GatewayToken.class, immediate = true, configurationPid = GatewayConfig.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = GatewayConfig.class)
public class GatewayToken {

    private final Logger logger = LoggerFactory.getLogger(GatewayToken.class);
    private final CredentialStore store;

    @Activate
    public GatewayToken(@Reference CredentialStore store, Map<String, Object> properties) {
        this.store = store;
        Object pending = properties.get("token");
        boolean configured = pending instanceof String && !((String) pending).isBlank();
        if (configured || store.metadata(CredentialStore.GATEWAY_TOKEN).isPresent()) {
            return;
        }
        char[] token = newToken();
        try {
            store.store(CredentialStore.GATEWAY_TOKEN, token);
            System.out.println("MoryFlow gateway access token (shown once; clients send it as "
                    + "'Authorization: Bearer <token>'): " + new String(token));
            logger.info("Created the gateway access token (fingerprint {}); it was printed once on the console. "
                    + "Set another with the 'token' property of configuration moryflow.gateway.",
                    store.metadata(CredentialStore.GATEWAY_TOKEN).map(m -> m.fingerprint()).orElse("?"));
        } finally {
            Arrays.fill(token, '\0');
        }
    }

    static char[] newToken() {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String t = "mf-" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        return t.toCharArray();
    }
}
