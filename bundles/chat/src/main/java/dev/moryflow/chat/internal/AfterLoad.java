package dev.moryflow.chat.internal;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives back the memory a load made the heap grow by, once the hub is idle again. The hub runs on the serial
 * collector (the smallest idle footprint), which only shrinks the heap in a full collection, and no full collection
 * comes while nothing is allocated: after a few thousand streams the heap stays at its peak for good. So when the
 * last running chat has ended and none has started for a while ({@code idleMillis}), and the heap is by then
 * {@code growthBytes} or more above what it was after the previous collection (or at start), this asks for one
 * collection ({@code collect}, {@link System#gc()} in the hub). It never runs while a chat is running: the pause
 * (tens of milliseconds for a heap of a few hundred MiB) falls into a quiet moment.
 * <p>
 * Thread-safe. {@link #started()} and {@link #ended()} pair up once per chat.
 */
final class AfterLoad {

    private final Logger logger = LoggerFactory.getLogger(AfterLoad.class);
    private final Consumer<Runnable> afterIdleTime;
    private final long idleMillis;
    private final long growthBytes;
    private final LongSupplier committedHeap;
    private final Runnable collect;
    private final AtomicInteger running = new AtomicInteger();
    /** Counts chat starts: a check finding another value than it was scheduled with knows a chat came meanwhile. */
    private final AtomicLong starts = new AtomicLong();
    private final AtomicLong baseline;

    /**
     * @param afterIdleTime runs the check it is given once {@code idleMillis} have passed
     * @param idleMillis    how long no chat must run before the check; 0 or less: never collect
     * @param growthBytes   how much the committed heap must have grown since the last collection
     * @param committedHeap the committed heap now, in bytes ({@link Runtime#totalMemory()})
     * @param collect       asks for the collection
     */
    AfterLoad(Consumer<Runnable> afterIdleTime, long idleMillis, long growthBytes, LongSupplier committedHeap,
            Runnable collect) {
        this.afterIdleTime = afterIdleTime;
        this.idleMillis = idleMillis;
        this.growthBytes = growthBytes;
        this.committedHeap = committedHeap;
        this.collect = collect;
        this.baseline = new AtomicLong(committedHeap.getAsLong());
    }

    /** A chat started. */
    void started() {
        starts.incrementAndGet();
        running.incrementAndGet();
    }

    /** A chat that {@link #started()} ended. */
    void ended() {
        if (running.decrementAndGet() == 0 && idleMillis > 0) {
            long seen = starts.get();
            try {
                afterIdleTime.accept(() -> check(seen));
            } catch (RejectedExecutionException stopping) {
                // the chat service is going away
            }
        }
    }

    /** @return the chats running now */
    int running() {
        return running.get();
    }

    private void check(long seen) {
        if (running.get() != 0 || starts.get() != seen) {
            return; // chats came since: the last of them schedules its own check
        }
        long before = committedHeap.getAsLong();
        if (before - baseline.get() < growthBytes) {
            return;
        }
        long t0 = System.nanoTime();
        collect.run();
        long after = committedHeap.getAsLong();
        baseline.set(after);
        logger.info("Idle for {} s after a load: one collection to give heap back, {} MiB -> {} MiB committed, in {} ms",
                idleMillis / 1000, before >> 20, after >> 20, (System.nanoTime() - t0) / 1_000_000);
    }
}
