package dev.moryflow.http;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.ProtocolException;
import java.net.Proxy;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;

import com.fasterxml.jackson.core.JsonFactory;

import dev.moryflow.http.internal.UpstreamError;
import dev.moryflow.provider.Problem;
import dev.moryflow.provider.ProviderException;
import dev.moryflow.provider.UpstreamAnswer;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.Response;

/**
 * Turns what went wrong on the wire into a {@link ProviderException} a person can act on: the {@link Problem}, a
 * message in plain words naming the host or the upstream's own words, and a hint saying what to do.
 * <p>
 * Two kinds of failure:
 * <ul>
 * <li><b>transport</b> ({@link #transport}): no answer. Host not resolved and connection refused are
 * {@link Problem#CONNECTION_FAILED}; timeouts {@link Problem#TIMEOUT}; certificate trouble {@link Problem#TLS}
 * (saying whether the certificate is untrusted, expired, or for another host name); proxy trouble
 * {@link Problem#CONNECTION_FAILED} naming the proxy; a cancelled call {@link Problem#CANCELLED}.</li>
 * <li><b>error answers</b> ({@link #fromResponse}, {@link #httpStatus}, {@link #upstreamError}): 400/422
 * {@link Problem#BAD_REQUEST}, 401 {@link Problem#AUTHENTICATION}, 403/451 {@link Problem#PERMISSION}, 404
 * {@link Problem#MODEL_NOT_FOUND} when the error is about the model, else {@link Problem#UPSTREAM_ERROR} ("endpoint
 * not found": the Base URL), 408/504 {@link Problem#TIMEOUT}, 413 and context-length errors
 * {@link Problem#CONTEXT_TOO_LONG}, 429 {@link Problem#RATE_LIMITED} (with the {@code Retry-After} wait), 5xx and
 * anything else {@link Problem#UPSTREAM_ERROR}. The upstream's own message and code are kept.</li>
 * </ul>
 * <b>Secrets:</b> upstreams echo the authentication header back. Every text taken from an upstream goes through
 * {@link #redact(String, char[])} before it reaches a message, and is shortened to {@value #MAX_UPSTREAM_TEXT}
 * characters on one line.
 * <p>
 * The provider id is not known here: callers add it with {@link ProviderException#withProvider(String)}.
 */
public final class Problems {

    /** Longest upstream text kept in a message, in characters. */
    public static final int MAX_UPSTREAM_TEXT = 300;
    /** Shortest run of consecutive characters of a key that {@link #redact(String, char[])} removes. */
    private static final int MIN_SECRET_RUN = 8;
    /** Most bytes of an error body read by {@link #fromResponse}. */
    public static final long MAX_ERROR_BODY_BYTES = 64 * 1024;

    private static final String BASE_URL_HINT = "Check the Base URL is correct: it usually ends with /v1.";
    private static final Pattern BEARER = Pattern.compile("(?i)\\b(bearer|basic)\\s+[^\\s\"',;]+");
    private static final Pattern KEY_LIKE = Pattern
            .compile("\\b(?:sk|rk|xai|csk|nvapi)-[A-Za-z0-9_\\-.*]{8,}|\\bgsk_[A-Za-z0-9_*]{8,}");
    private static final Pattern KEY_PARAM = Pattern
            .compile("(?i)((?:api[-_]?key|access[-_]?token|x-api-key|key)\\s*[=:]\\s*\"?)[^\\s\"'&,;]{8,}");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private static final Pattern CONTEXT = Pattern.compile(
            "(?i)context[ _-]?length|context[ _-]?window|maximum context|too many tokens|prompt is too long"
                    + "|reduce the length of the messages|tokens? exceeds? the|exceeds the model'?s? (?:maximum|limit)");
    private static final Pattern MODEL_WORD = Pattern.compile("(?i)\\bmodels?\\b|model_not_found|deployment");

    private Problems() {
    }

    // ---------------------------------------------------------------------------------------------- transport

    /**
     * Maps a failure without an answer, for a direct connection (or an unknown proxy).
     *
     * @param error the failure of the call
     * @param url   the URL that was called, or null
     * @return the exception to throw or report
     */
    public static ProviderException transport(IOException error, HttpUrl url) {
        return transport(error, url, null);
    }

    /**
     * Maps a failure without an answer.
     *
     * @param error the failure of the call
     * @param url   the URL that was called, or null; only its host and port appear in the message
     * @param proxy the proxy the call went through ({@code client.proxy()}), or null / {@link Proxy#NO_PROXY}
     * @return the exception to throw or report, with {@code error} as cause
     */
    public static ProviderException transport(IOException error, HttpUrl url, Proxy proxy) {
        String target = url == null ? "the server" : url.host() + ":" + url.port();
        String host = url == null ? "the server" : url.host();
        boolean viaProxy = proxy != null && proxy.type() != Proxy.Type.DIRECT && proxy.address() != null;
        String proxyName = viaProxy ? address(proxy.address()) : null;
        String text = allMessages(error).toLowerCase(Locale.ROOT);

        AnswersInMemoryException full = find(error, AnswersInMemoryException.class);
        if (full != null) {
            return fail(Problem.RATE_LIMITED, "the hub is holding as many large answers as its memory allows ("
                    + full.budgetBytes() / (1024 * 1024) + " MiB, an eighth of its heap); the answer from "
                    + target + " was stopped", "Retry in a moment. If many large answers at once are expected, give "
                    + "the hub more memory (JAVA_OPTS=\"-Xmx1g\" bin/moryflow).", full);
        }
        AnswerTooLargeException large = find(error, AnswerTooLargeException.class);
        if (large != null) {
            return tooLarge(large, target);
        }
        if (error instanceof InterruptedIOException && !(error instanceof SocketTimeoutException)
                && "timeout".equalsIgnoreCase(error.getMessage())) {
            return fail(Problem.TIMEOUT, "the call to " + target + " took longer than its time limit", null, error);
        }
        if ("canceled".equalsIgnoreCase(error.getMessage()) || "cancelled".equalsIgnoreCase(error.getMessage())) {
            return fail(Problem.CANCELLED, "the request to " + target + " was cancelled", null, error);
        }
        if (text.contains("executor rejected")) {
            return fail(Problem.CANCELLED, "the HTTP client is shutting down; the request to " + target
                    + " was not sent", "Retry once the hub has finished restarting.", error);
        }
        if (error instanceof InterruptedIOException && !(error instanceof SocketTimeoutException)) {
            return fail(Problem.CANCELLED, "the request to " + target + " was interrupted", null, error);
        }

        SSLPeerUnverifiedException peer = find(error, SSLPeerUnverifiedException.class);
        if (peer != null) {
            return fail(Problem.TLS, "TLS host name mismatch: the certificate of " + host
                    + " was issued for another host name",
                    "Use the host name the certificate was issued for in the Base URL (for example the provider's "
                            + "documented API address, not an IP address or an alias).", error);
        }
        Throwable tls = find(error, SSLException.class);
        CertificateException cert = find(error, CertificateException.class);
        if (tls != null || cert != null) {
            return tlsProblem(error, target, host, text);
        }

        if (viaProxy && isProxyFailure(error, text)) {
            return proxyProblem(error, target, proxyName, text);
        }
        UnknownHostException unknown = find(error, UnknownHostException.class);
        if (unknown != null) {
            return fail(Problem.CONNECTION_FAILED, "could not resolve host " + host,
                    "Check the host name in the Base URL for typos (it usually ends with /v1), and that your network "
                            + "and DNS can reach the service.",
                    error);
        }
        if (find(error, NoRouteToHostException.class) != null || text.contains("network is unreachable")
                || text.contains("no route to host")) {
            return fail(Problem.CONNECTION_FAILED, "no network route to " + target,
                    "Check your network can reach the service (VPN, firewall, offline?).", error);
        }
        SocketTimeoutException timeout = find(error, SocketTimeoutException.class);
        if (timeout != null) {
            if (text.contains("connect")) {
                return fail(Problem.TIMEOUT, "could not connect to " + (viaProxy ? "the proxy " + proxyName : target)
                        + " in time (connect timeout)",
                        "Check the host and port of the Base URL, and that no firewall silently drops the connection; "
                                + "raise connectTimeoutSeconds of moryflow.http for slow networks.",
                        error);
            }
            return fail(Problem.TIMEOUT, "the provider at " + target + " did not answer in time (read timeout)",
                    null, error);
        }
        if (find(error, ConnectException.class) != null || find(error, PortUnreachableException.class) != null) {
            if (text.contains("refused") || !text.contains("timed out")) {
                return fail(Problem.CONNECTION_FAILED, "connection refused by " + target,
                        "Is the server running? Check the host and port of the Base URL (it usually ends with /v1).",
                        error);
            }
            return fail(Problem.TIMEOUT, "could not connect to " + target + " in time", null, error);
        }
        if (error instanceof ProtocolException || text.contains("unexpected status line")) {
            return fail(Problem.RESPONSE_FORMAT, "the server at " + target + " did not answer with valid HTTP",
                    "Check the host, port and scheme (http:// or https://) of the Base URL.", error);
        }
        if (find(error, EOFException.class) != null || text.contains("unexpected end of stream")
                || text.contains("connection reset") || text.contains("broken pipe")
                || find(error, SocketException.class) != null) {
            // a TLS 1.3 server that requires a client certificate closes the connection after the handshake, and
            // its alert is often lost in the reset: name the client certificate for https
            return fail(Problem.CONNECTION_FAILED,
                    "the connection to " + target + " was closed before the answer was complete",
                    "Retry; if it persists, check the Base URL (an http:// URL for an https:// service does this) "
                            + "and any proxy or firewall in between"
                            + (url != null && url.isHttps() ? "; if the service requires a client certificate "
                                    + "(mutual TLS), set clientCertificate and clientKey in this provider's "
                                    + "configuration." : "."),
                    error);
        }
        return fail(Problem.CONNECTION_FAILED, "could not reach " + target + ": "
                + oneLine(error.getClass().getSimpleName() + ": " + error.getMessage(), MAX_UPSTREAM_TEXT),
                null, error);
    }

    private static ProviderException tooLarge(AnswerTooLargeException e, String target) {
        String limit = AnswerTooLargeException.size(e.limitBytes());
        String what = e.isEvent() ? "one event of the stream from " + target : "the answer from " + target;
        return fail(Problem.RESPONSE_FORMAT, what + " is larger than " + limit + ", the limit set by " + e.property()
                + " of " + HttpClients.PID + "; it was cut off there",
                "If answers this large are expected from this provider, raise " + e.property() + " in the "
                        + HttpClients.PID + " configuration (Web Console: MoryFlow HTTP client); otherwise the "
                        + "provider sent a faulty answer: retry, or check the provider.",
                e);
    }

    private static ProviderException tlsProblem(IOException error, String target, String host, String text) {
        if (find(error, CertificateExpiredException.class) != null || text.contains("validity check failed")
                || text.contains("certificate expired") || text.contains("certificate has expired")) {
            return fail(Problem.TLS, "TLS certificate expired: the certificate of " + host + " is out of date",
                    "The server's certificate has expired: ask its operator to renew it, and check this computer's "
                            + "date and time.",
                    error);
        }
        if (find(error, CertificateNotYetValidException.class) != null) {
            return fail(Problem.TLS, "TLS certificate not yet valid: the certificate of " + host
                    + " starts in the future", "Check this computer's date and time.", error);
        }
        if (find(error, CertPathValidatorException.class) != null
                || find(error, CertPathBuilderException.class) != null || text.contains("pkix")
                || text.contains("certification path") || text.contains("trust anchor")
                || find(error, CertificateException.class) != null) {
            return fail(Problem.TLS, "TLS certificate untrusted: the certificate of " + host
                    + " is not issued by an authority this Java trusts (self-signed or a private CA)",
                    "If the service uses your company's own CA, set caCertificates in this provider's "
                            + "configuration to that CA's certificate (its PEM text, or the path of its .pem file); "
                            + "otherwise use the service's public address, or for a local server http://.",
                    error);
        }
        if (text.contains("unrecognized ssl message") || text.contains("plaintext connection")
                || text.contains("unsupported or unrecognized")) {
            return fail(Problem.TLS, "the server at " + target + " does not speak TLS (https)",
                    "If the server is plain HTTP (common for local servers), write http:// in the Base URL.", error);
        }
        if (text.contains("certificate_required") || text.contains("bad_certificate")
                || text.contains("certificate_unknown") || text.contains("unsupported_certificate")
                || text.contains("access_denied")) {
            return fail(Problem.TLS, "the server at " + target + " refused the TLS connection: it requires a "
                    + "client certificate (mutual TLS) and got none it accepts",
                    "Set clientCertificate (the certificate's PEM text or file path) and clientKey (the path of its "
                            + "unencrypted PKCS#8 key file) in this provider's configuration, with a certificate "
                            + "the server's operator issued or accepts.",
                    error);
        }
        if (text.contains("protocol_version") || text.contains("no appropriate protocol")
                || text.contains("handshake_failure")) {
            return fail(Problem.TLS, "TLS handshake with " + target
                    + " failed: no common protocol version or cipher",
                    "The server only offers outdated TLS settings; ask its operator to enable TLS 1.2 or 1.3.",
                    error);
        }
        return fail(Problem.TLS, "TLS handshake with " + target + " failed: "
                + oneLine(String.valueOf(error.getMessage()), MAX_UPSTREAM_TEXT), null, error);
    }

    private static boolean isProxyFailure(IOException error, String text) {
        return text.contains("proxy") || text.contains("for connect") || text.contains("tunnel")
                || find(error, UnknownHostException.class) != null || find(error, ConnectException.class) != null
                || find(error, NoRouteToHostException.class) != null;
    }

    private static ProviderException proxyProblem(IOException error, String target, String proxy, String text) {
        String fixProxy = "Check the proxy setting of moryflow.http (proxy = http://host:port), or this provider's "
                + "own proxy if it sets one (proxy = http://host:port, or direct for none), and that the proxy is "
                + "running.";
        if (text.contains("authenticate with proxy") || text.contains("407")) {
            return fail(Problem.CONNECTION_FAILED, "the proxy " + proxy + " refused the credentials (HTTP 407)",
                    "Check the user and password in the proxy URL of moryflow.http (http://user:password@host:port).",
                    error);
        }
        if (text.contains("for connect") || text.contains("tunnel")) {
            return fail(Problem.CONNECTION_FAILED, "the proxy " + proxy + " refused to open a tunnel to " + target
                    + ": " + oneLine(String.valueOf(error.getMessage()), MAX_UPSTREAM_TEXT),
                    "Ask the proxy's operator to allow " + target + ", or check the proxy setting of moryflow.http "
                            + "(or this provider's own proxy; proxy = direct reaches an internal service without "
                            + "one).",
                    error);
        }
        if (find(error, UnknownHostException.class) != null) {
            return fail(Problem.CONNECTION_FAILED, "could not resolve the proxy host of " + proxy, fixProxy, error);
        }
        return fail(Problem.CONNECTION_FAILED, "could not connect to the proxy " + proxy, fixProxy, error);
    }

    // ----------------------------------------------------------------------------------------- error answers

    /**
     * Maps an error answer, reading at most {@value #MAX_ERROR_BODY_BYTES} bytes of its body (without consuming
     * it). The caller still closes the response.
     *
     * @param response the answer, typically not successful
     * @param model    the model the request asked for, or null
     * @param secret   the key that was sent, for redaction, or null
     * @return the exception
     */
    public static ProviderException fromResponse(Response response, String model, char[] secret) {
        String body;
        try {
            body = response.peekBody(MAX_ERROR_BODY_BYTES).string();
        } catch (IOException | RuntimeException e) {
            body = null;
        }
        return httpStatus(response.code(), response.headers(), body, model, secret);
    }

    /**
     * Maps an error answer given as status, headers and body text.
     *
     * @param status  the HTTP status
     * @param headers the answer's headers ({@code Retry-After}, {@code Location}), or null
     * @param body    the body text, or null
     * @param model   the model the request asked for, or null
     * @param secret  the key that was sent, for redaction, or null
     * @return the exception
     */
    public static ProviderException httpStatus(int status, Headers headers, String body, String model,
            char[] secret) {
        UpstreamError e = UpstreamError.parse(body);
        String retryAfter = headers == null ? null : headers.get("Retry-After");
        if (status >= 300 && status < 400) {
            String location = headers == null ? null : headers.get("Location");
            HttpUrl to = location == null ? null : HttpUrl.parse(location);
            String where = to == null ? (location == null ? "another address" : oneLine(redact(location, secret), 120))
                    : to.scheme() + "://" + to.host() + (to.port() == HttpUrl.defaultPort(to.scheme()) ? "" : ":"
                            + to.port()) + to.encodedPath();
            return new ProviderException(Problem.UPSTREAM_ERROR, "the provider redirects to " + where + " (HTTP "
                    + status + ")",
                    "Use that address as the Base URL (for example https:// instead of http://); requests are not "
                            + "redirected automatically.",
                    status, null, null, null);
        }
        ProviderException classified = classify(status, e, retryAfter, model, secret);
        if (status == 407) {
            return classified; // the proxy's answer, not the upstream's
        }
        return classified.withUpstreamAnswer(new UpstreamAnswer(status, errorObject(body, secret),
                headers == null ? null : forwardable(headers)));
    }

    /**
     * Maps an error object found inside an answer: in a 200 answer, or in an event of a stream. Its fields are
     * taken as in {@code {"error":{...}}}; {@code code} may be the provider's string code or a number read as an
     * HTTP status; {@code {"message":...}} and plain strings are understood too.
     *
     * @param status the HTTP status of the answer that carried it (200 for a stream)
     * @param error  the value of the {@code error} field (a Map, a String, …)
     * @param model  the model asked for, or null
     * @param secret the key that was sent, for redaction, or null
     * @return the exception
     */
    public static ProviderException upstreamError(int status, Object error, String model, char[] secret) {
        UpstreamError e = error instanceof Map && !((Map<?, ?>) error).containsKey("error")
                ? UpstreamError.fromValue(Map.of("error", error))
                : UpstreamError.fromValue(error instanceof String ? Map.of("error", error) : error);
        Object object = error instanceof Map && ((Map<?, ?>) error).get("error") instanceof Map
                ? ((Map<?, ?>) error).get("error") : error;
        return classify(status, e, null, model, secret).withUpstreamAnswer(new UpstreamAnswer(status,
                object instanceof Map ? redactedMap((Map<?, ?>) object, secret) : null, null));
    }

    /**
     * @return the error object of an error body ({@code {"error": {...}}}, or the first of a JSON array of those),
     *         its text redacted; null for any other body
     */
    private static Map<String, Object> errorObject(String body, char[] secret) {
        if (body == null || body.isBlank()) {
            return null;
        }
        String trimmed = body.trim();
        if (trimmed.charAt(0) != '{' && trimmed.charAt(0) != '[') {
            return null;
        }
        Object value;
        try {
            // made here, not held in a static field: callers that never see an error body need no Jackson
            value = JsonValues.parse(new JsonFactory(), trimmed);
        } catch (IOException | RuntimeException notJson) {
            return null;
        }
        if (value instanceof List && !((List<?>) value).isEmpty()) {
            value = ((List<?>) value).get(0);
        }
        Object error = value instanceof Map ? ((Map<?, ?>) value).get("error") : null;
        return error instanceof Map ? redactedMap((Map<?, ?>) error, secret) : null;
    }

    private static Map<String, Object> redactedMap(Map<?, ?> map, char[] secret) {
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(String.valueOf(k), redactedValue(v, secret)));
        return out;
    }

    private static Object redactedValue(Object v, char[] secret) {
        if (v instanceof String) {
            return redact((String) v, secret);
        }
        if (v instanceof Map) {
            return redactedMap((Map<?, ?>) v, secret);
        }
        if (v instanceof List) {
            List<Object> out = new ArrayList<>();
            for (Object o : (List<?>) v) {
                out.add(redactedValue(o, secret));
            }
            return out;
        }
        return v;
    }

    /** @return the headers of an answer that {@link UpstreamAnswer#isForwarded(String)} names, by name */
    private static Map<String, String> forwardable(Headers headers) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : headers.names()) {
            if (UpstreamAnswer.isForwarded(name)) {
                out.put(name, headers.get(name));
            }
        }
        return out;
    }

    private static ProviderException classify(int httpStatus, UpstreamError e, String retryAfter, String model,
            char[] secret) {
        int status = (httpStatus < 300 || httpStatus == 0) && e.status() >= 400 ? e.status() : httpStatus;
        String code = e.code() != null ? e.code() : e.type();
        String upstream = redact(e.message(), secret);
        String upstreamCode = code == null ? null : oneLine(redact(code, secret), 80);
        String all = ((e.code() == null ? "" : e.code()) + " " + (e.type() == null ? "" : e.type()) + " "
                + (e.message() == null ? "" : e.message())).toLowerCase(Locale.ROOT);

        Problem problem;
        String what;
        String hint = null;
        if (status == 407) {
            problem = Problem.CONNECTION_FAILED;
            what = "the proxy refused the credentials";
            hint = "Check the user and password in the proxy URL of moryflow.http (http://user:password@host:port).";
        } else if (status == 413 || CONTEXT.matcher(all).find() || all.contains("context_length_exceeded")) {
            problem = Problem.CONTEXT_TOO_LONG;
            what = status == 413 ? "the request is too large for the provider"
                    : "the conversation is too long for the model";
        } else if (status == 401 || all.contains("invalid_api_key") || all.contains("authentication_error")
                || (status < 400 && all.contains("unauthorized"))) {
            problem = Problem.AUTHENTICATION;
            what = "the provider rejected the API key";
        } else if (status == 451) {
            problem = Problem.PERMISSION;
            what = "the provider does not offer this service in your region";
        } else if (status == 403 || (status < 400 && all.contains("permission"))) {
            problem = Problem.PERMISSION;
            what = "the provider refused access: the key is not allowed to do this, or the region is restricted";
        } else if (status == 404 || all.contains("model_not_found")
                // the wording is a guess, made only when the upstream gave no code of its own (its "model_error"
                // for "the model produced invalid output" is no missing model)
                || ((status == 400 || status == 422 || status < 300) && (e.code() == null || e.code().isBlank()) && modelMissing(all))) {
            if (all.contains("model_not_found") || "model".equals(e.param()) || mentionsModel(e.message(), model)
                    || (status != 404 && modelMissing(all))) {
                problem = Problem.MODEL_NOT_FOUND;
                what = model == null || model.isBlank() ? "model not found" : "model " + model + " not found";
            } else {
                problem = Problem.UPSTREAM_ERROR;
                what = "endpoint not found";
                hint = BASE_URL_HINT;
            }
        } else if (status == 408 || status == 504) {
            problem = Problem.TIMEOUT;
            what = "the provider timed out before answering";
        } else if (status == 429 || all.contains("rate_limit") || all.contains("insufficient_quota")) {
            problem = Problem.RATE_LIMITED;
            what = all.contains("insufficient_quota") || all.contains("quota") ? "the quota of this key is used up"
                    : "the provider is limiting requests";
            hint = retryAfter == null ? null : Problem.RATE_LIMITED.defaultHint() + " The provider asks to wait "
                    + retryAfterText(retryAfter) + ".";
        } else if (status == 400 || status == 422) {
            problem = Problem.BAD_REQUEST;
            what = "the provider did not accept the request";
        } else if (status == 405) {
            problem = Problem.UPSTREAM_ERROR;
            what = "the address does not accept this request";
            hint = BASE_URL_HINT;
        } else if (status == 502 || status == 503) {
            problem = Problem.UPSTREAM_ERROR;
            what = "the provider is unavailable";
        } else if (status >= 500) {
            problem = Problem.UPSTREAM_ERROR;
            what = "the provider had an internal error";
        } else if (status < 300) {
            problem = Problem.UPSTREAM_ERROR;
            what = "the provider reported an error";
        } else {
            problem = Problem.UPSTREAM_ERROR;
            what = "the provider answered with an unexpected status";
        }

        StringBuilder message = new StringBuilder(what);
        if (status >= 300) {
            message.append(" (HTTP ").append(status).append(')');
        }
        if (upstream != null) {
            message.append(": ").append(oneLine(upstream, MAX_UPSTREAM_TEXT));
        }
        if (upstreamCode != null && (upstream == null || !upstream.contains(upstreamCode))) {
            message.append(" [").append(upstreamCode).append(']');
        }
        return new ProviderException(problem, message.toString(), hint, Math.max(status, 0), upstreamCode, null,
                null);
    }

    private static boolean modelMissing(String all) {
        return all.matches("(?s).*\\bmodel\\b.*(not (be )?found|does not exist|doesn't exist|not exist|no such|"
                + "unknown|not available|not supported|invalid).*")
                || all.matches("(?s).*(unknown|invalid|unsupported|no such) model.*");
    }

    private static boolean mentionsModel(String message, String model) {
        if (message == null) {
            return false;
        }
        return (model != null && !model.isBlank() && message.contains(model)) || MODEL_WORD.matcher(message).find();
    }

    private static String retryAfterText(String retryAfter) {
        String r = retryAfter.trim();
        return r.chars().allMatch(Character::isDigit) ? r + " s" : "until " + oneLine(r, 60);
    }

    // --------------------------------------------------------------------------------------------- response format

    /**
     * The answer is not what an OpenAI-compatible API sends: for a body that is not JSON or not an event stream.
     * An HTML page gets a hint about the Base URL (it usually means a web site answered, not the API).
     *
     * @param what        what was expected, for example {@code "the answer is not JSON"}
     * @param contentType the answer's content type, or null
     * @param bodyStart   the start of the body, or null; shortened to 200 characters and redacted
     * @param secret      the key that was sent, or null
     * @return the exception ({@link Problem#RESPONSE_FORMAT})
     */
    public static ProviderException notUnderstood(String what, String contentType, String bodyStart,
            char[] secret) {
        StringBuilder m = new StringBuilder(what);
        m.append(" (content type ").append(contentType == null || contentType.isBlank() ? "none" : contentType)
                .append(')');
        String start = bodyStart == null ? "" : oneLine(redact(bodyStart, secret), 200);
        m.append(start.isEmpty() ? ", empty body" : ": " + start);
        boolean html = (contentType != null && contentType.toLowerCase(Locale.ROOT).contains("html"))
                || start.regionMatches(true, 0, "<!doctype", 0, 9) || start.regionMatches(true, 0, "<html", 0, 5);
        String hint = html ? "An HTML page means a web site answered, not the API. " + BASE_URL_HINT + " "
                + Problem.RESPONSE_FORMAT.defaultHint() : null;
        return new ProviderException(Problem.RESPONSE_FORMAT, m.toString(), hint, 0, null, null, null);
    }

    // ------------------------------------------------------------------------------------------------ redaction

    /**
     * Removes secrets from text that came from outside. Beyond every occurrence of {@code secret} itself
     * ({@link ProviderException#redact}), it removes words starting with the secret's first 8 characters (echoes of
     * a partly masked key), every run of 8 or more consecutive characters of the secret (a key
     * echoed without its first or last characters, or cut in the middle), {@code Bearer}/{@code Basic} credentials,
     * {@code api_key=...} style parameters, and tokens shaped like well-known API keys ({@code sk-...},
     * {@code gsk_...}, {@code xai-...}).
     *
     * @param text   the text, may be null
     * @param secret the secret that was sent, may be null
     * @return the text without them
     */
    public static String redact(String text, char[] secret) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = ProviderException.redact(text, secret);
        if (secret != null && secret.length >= 12) {
            String prefix = new String(secret, 0, 8);
            out = out.replaceAll(Pattern.quote(prefix) + "\\S*", "[redacted]");
        }
        out = redactRuns(out, secret);
        out = BEARER.matcher(out).replaceAll("$1 [redacted]");
        out = KEY_PARAM.matcher(out).replaceAll("$1[redacted]");
        out = KEY_LIKE.matcher(out).replaceAll("[redacted]");
        return out;
    }

    /**
     * Replaces every stretch of the text covered by windows of 8 characters that occur in the
     * secret: any run of that many or more consecutive characters of the secret is such a stretch. The secret's
     * windows go into a set once, then the text is read once, so the cost is about (text + secret) × window.
     */
    private static String redactRuns(String text, char[] secret) {
        if (text == null || secret == null || secret.length < MIN_SECRET_RUN || text.length() < MIN_SECRET_RUN) {
            return text;
        }
        Set<String> windows = new HashSet<>();
        for (int i = 0; i + MIN_SECRET_RUN <= secret.length; i++) {
            windows.add(new String(secret, i, MIN_SECRET_RUN));
        }
        StringBuilder out = null;
        int copied = 0;
        int runStart = -1;
        int runEnd = -1;
        for (int i = 0; i + MIN_SECRET_RUN <= text.length(); i++) {
            if (!windows.contains(text.substring(i, i + MIN_SECRET_RUN))) {
                continue;
            }
            if (runStart >= 0 && i <= runEnd) {
                runEnd = i + MIN_SECRET_RUN;
                continue;
            }
            if (runStart >= 0) {
                out = appendRedacted(out, text, copied, runStart);
                copied = runEnd;
            }
            runStart = i;
            runEnd = i + MIN_SECRET_RUN;
        }
        if (runStart < 0) {
            return text;
        }
        out = appendRedacted(out, text, copied, runStart);
        return out.append(text, runEnd, text.length()).toString();
    }

    private static StringBuilder appendRedacted(StringBuilder out, String text, int from, int runStart) {
        StringBuilder b = out == null ? new StringBuilder(text.length()) : out;
        return b.append(text, from, runStart).append("[redacted]");
    }

    /**
     * @param text any text, may be null
     * @param max  the most characters to keep
     * @return the text on one line (runs of white space made one space), cut at {@code max} with {@code …}
     */
    public static String oneLine(String text, int max) {
        if (text == null) {
            return "";
        }
        String s = WHITESPACE.matcher(text).replaceAll(" ").trim();
        return s.length() <= max ? s : s.substring(0, Math.max(0, max - 1)) + "…";
    }

    // ---------------------------------------------------------------------------------------------------- helpers

    private static ProviderException fail(Problem problem, String message, String hint, IOException cause) {
        return new ProviderException(problem, message, hint, 0, null, null, cause);
    }

    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (int depth = 0; t != null && depth < 12; depth++, t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            for (Throwable s : t.getSuppressed()) {
                if (type.isInstance(s)) {
                    return type.cast(s);
                }
            }
        }
        return null;
    }

    private static String allMessages(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (int depth = 0; t != null && depth < 12; depth++, t = t.getCause()) {
            sb.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append(" | ");
        }
        return sb.toString();
    }

    private static String address(SocketAddress a) {
        if (a instanceof InetSocketAddress) {
            InetSocketAddress i = (InetSocketAddress) a;
            return i.getHostString() + ":" + i.getPort();
        }
        return String.valueOf(a);
    }
}
