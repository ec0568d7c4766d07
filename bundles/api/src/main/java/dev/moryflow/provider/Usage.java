package dev.moryflow.provider;

/**
 * Token counts of one chat as reported by the provider, with the prompt's cache details where the provider reports
 * them ({@link #cachedPromptTokens()}, {@link #cacheCreationTokens()}: both part of {@link #promptTokens()}, as in
 * OpenAI's {@code prompt_tokens_details}). Immutable.
 */
public final class Usage {

    private final int promptTokens;
    private final int completionTokens;
    private final int totalTokens;
    private final int cachedPromptTokens;
    private final int cacheCreationTokens;

    /**
     * @param promptTokens     tokens of the prompt
     * @param completionTokens tokens of the answer
     * @param totalTokens      both; computed as their sum when given as 0 or less
     */
    public Usage(int promptTokens, int completionTokens, int totalTokens) {
        this(promptTokens, completionTokens, totalTokens, 0, 0);
    }

    /**
     * @param promptTokens        tokens of the prompt, cached ones included
     * @param completionTokens    tokens of the answer
     * @param totalTokens         both; computed as their sum when given as 0 or less
     * @param cachedPromptTokens  tokens of the prompt read from the provider's prompt cache (OpenAI
     *                            {@code prompt_tokens_details.cached_tokens}, Anthropic
     *                            {@code cache_read_input_tokens}), 0 when none or not reported
     * @param cacheCreationTokens tokens of the prompt written to the provider's prompt cache (Anthropic
     *                            {@code cache_creation_input_tokens}), 0 when none or not reported
     * @since 2.4
     */
    public Usage(int promptTokens, int completionTokens, int totalTokens, int cachedPromptTokens,
            int cacheCreationTokens) {
        this.promptTokens = Math.max(0, promptTokens);
        this.completionTokens = Math.max(0, completionTokens);
        this.totalTokens = totalTokens > 0 ? totalTokens : this.promptTokens + this.completionTokens;
        this.cachedPromptTokens = Math.max(0, cachedPromptTokens);
        this.cacheCreationTokens = Math.max(0, cacheCreationTokens);
    }

    /** @return prompt tokens */
    public int promptTokens() {
        return promptTokens;
    }

    /** @return completion tokens */
    public int completionTokens() {
        return completionTokens;
    }

    /** @return total tokens */
    public int totalTokens() {
        return totalTokens;
    }

    /**
     * @return tokens of the prompt read from the provider's prompt cache (part of {@link #promptTokens()}), 0 when
     *         none or not reported
     * @since 2.4
     */
    public int cachedPromptTokens() {
        return cachedPromptTokens;
    }

    /**
     * @return tokens of the prompt written to the provider's prompt cache (part of {@link #promptTokens()}), 0 when
     *         none or not reported
     * @since 2.4
     */
    public int cacheCreationTokens() {
        return cacheCreationTokens;
    }

    /** @return whether any cache detail is reported */
    public boolean hasCacheDetails() {
        return cachedPromptTokens > 0 || cacheCreationTokens > 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Usage && ((Usage) o).promptTokens == promptTokens
                && ((Usage) o).completionTokens == completionTokens && ((Usage) o).totalTokens == totalTokens
                && ((Usage) o).cachedPromptTokens == cachedPromptTokens
                && ((Usage) o).cacheCreationTokens == cacheCreationTokens;
    }

    @Override
    public int hashCode() {
        return (((promptTokens * 31 + completionTokens) * 31 + totalTokens) * 31 + cachedPromptTokens) * 31
                + cacheCreationTokens;
    }

    @Override
    public String toString() {
        return "Usage[prompt=" + promptTokens + ", completion=" + completionTokens + ", total=" + totalTokens
                + (hasCacheDetails() ? ", cached=" + cachedPromptTokens + ", cacheCreation=" + cacheCreationTokens
                        : "") + "]";
    }
}
