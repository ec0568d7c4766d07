package dev.moryflow.provider;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a model can do, as the capability tags users put on a model ({@code capabilities} of a {@code moryflow.model}
 * configuration). The tag is the lower-case, dash-separated form: {@code chat vision tools reasoning json embedding
 * web-search audio}.
 */
public enum Capability {
    /** Chat completions. */
    CHAT("chat"),
    /** Accepts images in messages. */
    VISION("vision"),
    /** Function or tool calling. */
    TOOLS("tools"),
    /** Produces reasoning (thinking) content. */
    REASONING("reasoning"),
    /** Structured JSON output ({@code response_format}). */
    JSON("json"),
    /** Embeddings. */
    EMBEDDING("embedding"),
    /** Searches the web while answering. */
    WEB_SEARCH("web-search"),
    /** Audio input or output. */
    AUDIO("audio");

    private final String tag;

    Capability(String tag) {
        this.tag = tag;
    }

    /** @return the tag as users write it, for example {@code web-search} */
    public String tag() {
        return tag;
    }

    /**
     * Parses a tag, ignoring case and surrounding blanks; {@code web_search} is accepted for {@code web-search}.
     *
     * @param tag a tag as written by a user
     * @return the capability, or empty when the tag is unknown
     */
    public static Optional<Capability> fromTag(String tag) {
        if (tag == null) {
            return Optional.empty();
        }
        String t = tag.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (Capability c : values()) {
            if (c.tag.equals(t)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** @return every known tag, comma separated, for error messages that tell the user what is allowed */
    public static String knownTags() {
        return Arrays.stream(values()).map(Capability::tag).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return tag;
    }
}
