package dev.moryflow.http.internal;

import java.util.concurrent.atomic.AtomicLong;

import dev.moryflow.http.AnswersInMemoryException;

/**
 * The memory all answers read whole take together: {@code maxAnswerMiB} bounds one answer, this bounds all of them at
 * once (two 19 MiB answers in a 256 MiB heap were enough to end the hub). The budget is an eighth of the heap: an
 * answer's bytes are held several times over while they are parsed and written on.
 */
final class AnswerMemory {

    private final long budget;
    private final AtomicLong used = new AtomicLong();

    /** @param budget the most bytes of answers held at once */
    AnswerMemory(long budget) {
        this.budget = budget;
    }

    /** @return the budget for this JVM's heap */
    static AnswerMemory forHeap() {
        return new AnswerMemory(Math.max(Runtime.getRuntime().maxMemory() / 8, 1024L * 1024));
    }

    long used() {
        return used.get();
    }

    Share share() {
        return new Share();
    }

    AnswersInMemoryException full() {
        return new AnswersInMemoryException(budget);
    }

    /** One answer's part of the budget. */
    final class Share {
        private final AtomicLong held = new AtomicLong();

        /** @return whether {@code bytes} more fit in the budget (then they are held) */
        boolean take(long bytes) {
            if (used.addAndGet(bytes) > budget) {
                used.addAndGet(-bytes);
                return false;
            }
            held.addAndGet(bytes);
            return true;
        }

        /** Gives back what this answer held; idempotent. */
        void release() {
            used.addAndGet(-held.getAndSet(0));
        }
    }
}
