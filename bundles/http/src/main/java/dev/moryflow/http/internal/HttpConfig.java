package dev.moryflow.http.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The Web Console form of {@code moryflow.http}. Values are read leniently by {@link HttpSettings}. */
@ObjectClassDefinition(id = "moryflow.http", name = "MoryFlow HTTP client",
        description = "The one HTTP client every provider uses to reach its service: proxy, timeouts, retries and "
                + "answer size limits. "
                + "Changes apply to the next request; requests already running finish with the old settings.")
public @interface HttpConfig {

    /** @return the proxy URL */
    @AttributeDefinition(name = "Proxy", required = false,
            description = "Proxy for every provider call, for example http://proxy:3128, "
                    + "http://user:password@proxy:3128 or socks5://proxy:1080. Leave empty for none.")
    String proxy() default "";

    /** @return the connect timeout */
    @AttributeDefinition(name = "Connect timeout (seconds)", min = "0",
            description = "How long to wait for a connection to a provider; 0 for no limit. Default 10.")
    int connectTimeoutSeconds() default HttpSettings.DEFAULT_CONNECT_TIMEOUT;

    /** @return the read timeout */
    @AttributeDefinition(name = "Read timeout (seconds)", min = "0",
            description = "Longest silence while waiting for an answer (or between streamed chunks); 0 for no limit. "
                    + "Default 120. A provider's own timeoutSeconds replaces it for that provider.")
    int readTimeoutSeconds() default HttpSettings.DEFAULT_READ_TIMEOUT;

    /** @return the retries */
    @AttributeDefinition(name = "Retries", min = "0", max = "10",
            description = "Extra attempts when a connection cannot be made at all (refused, unreachable, not "
                    + "resolved). A request that reached the server is never sent twice. Default 0.")
    int retries() default 0;

    /** @return the largest whole answer, in MiB */
    @AttributeDefinition(name = "Largest answer (MiB)", min = "1", max = "2047",
            description = "An answer read whole (not streamed) that is larger than this is cut off and the chat fails "
                    + "with 502, so no answer can exhaust the hub's memory. Default 32.")
    int maxAnswerMiB() default dev.moryflow.http.HttpClients.DEFAULT_MAX_ANSWER_MIB;

    /** @return the largest stream event, in MiB */
    @AttributeDefinition(name = "Largest stream event (MiB)", min = "1", max = "2047",
            description = "One event of a streamed answer that is larger than this ends the stream with an error; "
                    + "a stream as a whole has no limit, since it is passed on as it arrives. Default 8.")
    int maxEventMiB() default dev.moryflow.http.HttpClients.DEFAULT_MAX_EVENT_MIB;
}
