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

    @AttributeDefinition(name = "Largest request (KiB)",
            description = "Requests with a larger body are refused with 413. Images sent inline count.")
    int maxRequestKilobytes() default 8192;
}
