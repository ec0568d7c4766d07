package dev.moryflow.http;

/**
 * A connection setting that cannot be used. The message names the property, says what is wrong and how to fix it;
 * it never repeats a secret (the content of a private key is never part of it).
 *
 * @since 1.2
 */
public final class SettingException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String property;

    /**
     * @param property the configuration property at fault, for example {@value ConnectionSettings#PROP_CA_CERTIFICATES}
     * @param message  what is wrong and the fix, naming the property
     */
    public SettingException(String property, String message) {
        super(message);
        this.property = property;
    }

    /** @return the configuration property at fault */
    public String property() {
        return property;
    }
}
