package dev.moryflow.gateway.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The gateway's settings, PID {@code moryflow.gateway}. */
@ObjectClassDefinition(id = GatewayConfig.PID, name = "MoryFlow gateway",
        description = "The OpenAI-compatible HTTP API at /v1: who may use it and how large requests may be.")
public @interface GatewayConfig {

    String PID = "moryflow.gateway";

    @AttributeDefinition(name = "Access token", type = AttributeType.PASSWORD, required = false,
            description = "The token clients send as 'Authorization: Bearer <token>'. On save it is moved into the "
                    + "encrypted credential store and removed from this configuration. Empty: a token is created "
                    + "on first start and printed once on the console.")
    String token() default "";

    @AttributeDefinition(name = "Allowed browser origins", required = false,
            description = "Origins (e.g. http://localhost:3000) whose web pages may call the API (CORS). Empty: none.")
    String[] cors() default {};

    @AttributeDefinition(name = "Allowed host names", required = false,
            description = "Further names or addresses (e.g. hub.example.lan, 192.168.1.20; in a .cfg file separated "
                    + "by commas) under which browsers and clients reach the hub, checked against each request's "
                    + "Host header (protection against DNS rebinding). Always allowed: localhost, *.localhost, 127.0.0.0/8, ::1, the address the hub is "
                    + "bound to (org.apache.felix.http.host) and, when bound to all interfaces, this machine's own "
                    + "addresses and host name. A request under any other name is refused with 403.")
    String[] allowedHosts() default {};

    @AttributeDefinition(name = "Largest request (KiB)",
            description = "Requests with a larger body are refused with 413. Images sent inline count.")
    int maxRequestKilobytes() default 8192;

    @AttributeDefinition(name = "Request body timeout (seconds)",
            description = "A request whose body stops arriving for this long is answered 408 and its connection "
                    + "closed. The body is read as it arrives: a slow client holds no thread while it sends.")
    int requestBodyTimeoutSeconds() default 30;
}
