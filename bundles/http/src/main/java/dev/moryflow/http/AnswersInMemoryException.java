package dev.moryflow.http;

import java.io.IOException;

/**
 * The answers being read whole right now already fill the memory the hub allows them (an eighth of its heap): this
 * one was stopped rather than risk the hub. Transient: the next try, once others are done, is read.
 * {@link Problems#transport} turns it into a {@link dev.moryflow.provider.Problem#RATE_LIMITED} failure.
 *
 * @since 1.3
 */
public final class AnswersInMemoryException extends IOException {

    private static final long serialVersionUID = 1L;

    private final long budgetBytes;

    /** @param budgetBytes the memory all answers read whole may take at once */
    public AnswersInMemoryException(long budgetBytes) {
        super("the answers being read now already take " + budgetBytes / (1024 * 1024) + " MiB"
                + ", the most the hub's memory allows them");
        this.budgetBytes = budgetBytes;
    }

    /** @return the memory all answers read whole may take at once, in bytes */
    public long budgetBytes() {
        return budgetBytes;
    }
}
