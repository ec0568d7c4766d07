package dev.moryflow.gateway.internal;

/** A client's request that cannot be read: names the parameter and says what is wrong and how to fix it. */
final class WireException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String param;

    WireException(String param, String message) {
        super(message);
        this.param = param;
    }

    /** @return the offending request parameter, for the error's {@code param} field, or null */
    String param() {
        return param;
    }
}
