package dev.moryflow.gateway.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.apache.felix.http.jetty.ConnectorFactory;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The {@code ConnectorFactory} Felix HTTP Jetty calls with its {@code Server}: it sets the server's error handler
 * to {@link OpenAiErrors} and contributes a connector, which the factory contract requires: an {@link Inert} one
 * that never opens a port or starts a thread. It must be a {@link ServerConnector}: when its configuration
 * {@code org.apache.felix.http} changes, Felix HTTP Jetty 1.1.8 restarts the server, calls the factory again and then
 * reads every connector as a ServerConnector; a {@code LocalConnector} made that throw, and the restarted server
 * served nothing (404 for every path; seen in Karaf, where the feature's configuration can arrive after the gateway).
 * {@link #restore()} puts the server's own handler back when the gateway stops.
 */
final class JettyErrorPages implements ConnectorFactory {

    private volatile Server server;
    private volatile Request.Handler previous;

    @Override
    public Connector createConnector(Server s) {
        this.server = s;
        this.previous = s.getErrorHandler();
        s.setErrorHandler(new OpenAiErrors());
        return new Inert(s);
    }

    /** A connector that is never opened and never started: no port, no acceptor or selector thread. */
    static final class Inert extends ServerConnector {

        Inert(Server server) {
            super(server, 0, 1);
            setHost("127.0.0.1");
        }

        @Override
        public void open() {
            // never listens
        }

        @Override
        protected void doStart() {
            // nothing to start: no acceptors, no selectors
        }

        @Override
        protected void doStop() {
            // nothing was started
        }
    }

    void restore() {
        Server s = server;
        if (s != null && s.getErrorHandler() instanceof OpenAiErrors) {
            s.setErrorHandler(previous);
        }
    }

    /** Every error the server answers itself, as {@code {"error": {...}}}. */
    static final class OpenAiErrors extends ErrorHandler {

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            int status = response.getStatus();
            Object message = request.getAttribute(ERROR_MESSAGE);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            response.write(true, ByteBuffer.wrap(body(status, message == null ? null : message.toString(),
                    Request.getPathInContext(request))), callback);
            return true;
        }

        @Override
        public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
            fields.put(HttpHeader.CONTENT_TYPE, "application/json");
            return ByteBuffer.wrap(body(status, reason, null));
        }

        static byte[] body(int status, String reason, String path) {
            String what;
            String code;
            switch (status) {
                case HttpStatus.NOT_FOUND_404:
                    what = "No endpoint " + (path == null ? "here" : path) + ". The OpenAI-compatible API is under "
                            + "/v1 (GET /v1/models, POST /v1/chat/completions)";
                    code = "unknown_url";
                    break;
                case HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE_431:
                    what = "The request's headers are larger than this server accepts. Send fewer or smaller headers";
                    code = "request_header_fields_too_large";
                    break;
                case HttpStatus.URI_TOO_LONG_414:
                    what = "The request's URI is longer than this server accepts. Send the data in the body";
                    code = "uri_too_long";
                    break;
                case HttpStatus.PAYLOAD_TOO_LARGE_413:
                    what = "The request body is larger than this server accepts";
                    code = "request_too_large";
                    break;
                case HttpStatus.METHOD_NOT_ALLOWED_405:
                    what = "This method is not allowed here";
                    code = "method_not_allowed";
                    break;
                default:
                    what = status >= 500 ? "The server failed to answer" : "The server could not read the request";
                    code = status >= 500 ? "server_error" : "bad_request";
            }
            String text = what + " (HTTP " + status + (reason == null || reason.isBlank() ? "" : ": " + reason) + ").";
            return ("{\"error\":{\"message\":\"" + escape(text) + "\",\"type\":\""
                    + (status >= 500 ? "server_error" : "invalid_request_error") + "\",\"param\":null,\"code\":\""
                    + code + "\"}}").getBytes(StandardCharsets.UTF_8);
        }

        private static String escape(String s) {
            StringBuilder b = new StringBuilder(s.length() + 8);
            for (char c : s.toCharArray()) {
                if (c == '"' || c == '\\') {
                    b.append('\\').append(c);
                } else if (c < 0x20) {
                    b.append(String.format("\\u%04x", (int) c));
                } else {
                    b.append(c);
                }
            }
            return b.toString();
        }
    }
}
