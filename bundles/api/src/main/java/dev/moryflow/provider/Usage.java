package dev.moryflow.provider;

/**
 * Token counts of one chat as reported by the provider. Immutable.
 */
public final class Usage {

    private final int promptTokens;
    private final int completionTokens;
    private final int totalTokens;

    /**
     * @param promptTokens     tokens of the prompt
     * @param completionTokens tokens of the answer
     * @param totalTokens      both; computed as their sum when given as 0 or less
     */
    public Usage(int promptTokens, int completionTokens, int totalTokens) {
        this.promptTokens = Math.max(0, promptTokens);
        this.completionTokens = Math.max(0, completionTokens);
        this.totalTokens = totalTokens > 0 ? totalTokens : this.promptTokens + this.completionTokens;
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

    @Override
    public boolean equals(Object o) {
        return o instanceof Usage && ((Usage) o).promptTokens == promptTokens
                && ((Usage) o).completionTokens == completionTokens && ((Usage) o).totalTokens == totalTokens;
    }

    @Override
    public int hashCode() {
        return (promptTokens * 31 + completionTokens) * 31 + totalTokens;
    }

    @Override
    public String toString() {
        return "Usage[prompt=" + promptTokens + ", completion=" + completionTokens + ", total=" + totalTokens + "]";
    }
}
