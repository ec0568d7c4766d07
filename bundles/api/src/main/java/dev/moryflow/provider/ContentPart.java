package dev.moryflow.provider;

import java.util.Objects;

/**
 * One part of a multi-part message content: text, or an image given by URL (including {@code data:} URLs), as in
 * the OpenAI {@code content} array. Immutable.
 */
public final class ContentPart {

    /** Type of a text part. */
    public static final String TEXT = "text";
    /** Type of an image part. */
    public static final String IMAGE_URL = "image_url";

    private final String type;
    private final String text;
    private final String url;

    /**
     * @param type the part type, {@link #TEXT}, {@link #IMAGE_URL} or another type the provider knows
     * @param text the text of a text part, else null
     * @param url  the URL of an image (or other media) part, else null
     */
    public ContentPart(String type, String text, String url) {
        this.type = Objects.requireNonNull(type, "type");
        this.text = text;
        this.url = url;
    }

    /**
     * @param text the text
     * @return a text part
     */
    public static ContentPart text(String text) {
        return new ContentPart(TEXT, text, null);
    }

    /**
     * @param url the image URL
     * @return an image part
     */
    public static ContentPart image(String url) {
        return new ContentPart(IMAGE_URL, null, url);
    }

    /** @return the part type */
    public String type() {
        return type;
    }

    /** @return the text, or null */
    public String text() {
        return text;
    }

    /** @return the media URL, or null */
    public String url() {
        return url;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContentPart && type.equals(((ContentPart) o).type)
                && Objects.equals(text, ((ContentPart) o).text) && Objects.equals(url, ((ContentPart) o).url);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, text, url);
    }

    @Override
    public String toString() {
        return TEXT.equals(type) ? "text(" + text + ")" : type + "(" + url + ")";
    }
}
