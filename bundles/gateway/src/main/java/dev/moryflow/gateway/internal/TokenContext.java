package dev.moryflow.gateway.internal;

import java.io.IOException;
import java.util.Arrays;
import java.util.Set;

import org.osgi.service.servlet.context.ServletContextHelper;

import dev.moryflow.credentials.CredentialStore;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * A servlet context whose every request must carry the gateway token ({@code Authorization: Bearer <token>}),
 * compared by the credential store without revealing it; allowed browser origins get CORS headers.
 */
abstract class TokenContext extends ServletContextHelper {

    private static final byte[] UNAUTHORIZED = new OpenAiWire().error(
            "Missing or wrong gateway token. Send 'Authorization: Bearer <token>': the token was printed once on "
                    + "the hub's console at first start; set another with the 'token' property of configuration "
                    + "moryflow.gateway.", "invalid_request_error", null, "invalid_api_key");

    private final CredentialStore store;
    private volatile Set<String> origins;

    TokenContext(CredentialStore store, GatewayConfig config) {
        this.store = store;
        configure(config);
    }

    final void configure(GatewayConfig config) {
        this.origins = Set.copyOf(Arrays.asList(config.cors()));
    }

    @Override
    public boolean handleSecurity(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String origin = request.getHeader("Origin");
        if (origin != null && origins.contains(origin)) {
            response.setHeader("Access-Control-Allow-Origin", origin);
            response.setHeader("Vary", "Origin");
            if ("OPTIONS".equals(request.getMethod())) {
                response.setHeader("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS");
                response.setHeader("Access-Control-Allow-Headers", "Authorization, Content-Type");
                response.setStatus(204);
                return false;
            }
        }
        if (authorized(request.getHeader("Authorization"))) {
            return true;
        }
        // the refused request's body is read first (1 MiB at most), so that the client reads this answer and its
        // connection stays usable
        if (!RequestBodies.drain(request, 1 << 20)) {
            response.setHeader("Connection", "close");
        }
        response.setStatus(401);
        response.setHeader("WWW-Authenticate", "Bearer realm=\"moryflow\"");
        response.setContentType("application/json");
        response.setContentLength(UNAUTHORIZED.length);
        response.getOutputStream().write(UNAUTHORIZED);
        return false;
    }

    private boolean authorized(String header) {
        if (header == null || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        char[] token = header.substring(7).trim().toCharArray();
        try {
            return token.length > 0 && store.verify(CredentialStore.GATEWAY_TOKEN, token);
        } finally {
            Arrays.fill(token, '\0');
        }
    }
}
