package dev.moryflow.chat.internal;

import static org.junit.Assert.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.Test;

public class AfterLoadTest {

    private static final long MIB = 1 << 20;

    /** What was scheduled: the test runs it, as if the idle time had passed. */
    private final List<Runnable> due = new ArrayList<>();
    private final AtomicLong heap = new AtomicLong(30 * MIB);
    private final AtomicInteger collections = new AtomicInteger();
    private final AfterLoad afterLoad = new AfterLoad(due::add, 30_000, 64 * MIB, heap::get, () -> {
        collections.incrementAndGet();
        heap.set(40 * MIB);
    });

    private void runDue() {
        List<Runnable> now = new ArrayList<>(due);
        due.clear();
        now.forEach(Runnable::run);
    }

    @Test
    public void aHeapGrownByALoadIsCollectedOnceTheLastChatEndedAndNoneCame() {
        for (int i = 0; i < 3; i++) {
            afterLoad.started();
        }
        heap.set(400 * MIB);
        afterLoad.ended();
        afterLoad.ended();
        assertEquals("nothing is checked while a chat runs", 0, due.size());
        afterLoad.ended();
        runDue();
        assertEquals(1, collections.get());
        assertEquals(0, afterLoad.running());

        // a quiet moment with a heap that did not grow again: no second collection
        afterLoad.started();
        afterLoad.ended();
        runDue();
        assertEquals(1, collections.get());
    }

    @Test
    public void aChatStartingBeforeTheCheckPutsItOffAndASmallGrowthIsLeftAlone() {
        afterLoad.started();
        heap.set(400 * MIB);
        afterLoad.ended();
        afterLoad.started(); // came within the idle time: the check scheduled for the first end does nothing
        runDue();
        assertEquals(0, collections.get());
        afterLoad.ended();
        runDue();
        assertEquals(1, collections.get());

        heap.set(90 * MIB); // 50 MiB above the 40 left by the collection: under the 64 that make it worth it
        afterLoad.started();
        afterLoad.ended();
        runDue();
        assertEquals(1, collections.get());
    }

    @Test
    public void noIdleTimeMeansNeverCollecting() {
        AfterLoad never = new AfterLoad(due::add, 0, 64 * MIB, heap::get, collections::incrementAndGet);
        never.started();
        heap.set(900 * MIB);
        never.ended();
        runDue();
        assertEquals(0, collections.get());
    }
}
