package dev.moryflow.http.internal;

import java.lang.reflect.Method;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads upstream calls run on. Each running call (a stream can run for minutes) holds one while it waits for
 * the upstream: on Java 21 and later they are virtual threads, which cost a few KiB while they wait; on Java 17
 * platform threads are made as needed and end after a minute unused. The hub is compiled for Java 17, so the
 * Java 21 executor is looked up at run time.
 */
final class CallThreads {

    private CallThreads() {
    }

    /** @return the executor for the dispatcher's calls */
    static ExecutorService executor() {
        ExecutorService virtual = virtualThreads();
        return virtual != null ? virtual : platformThreads();
    }

    /** @return whether calls run on virtual threads on this Java */
    static boolean virtual() {
        try {
            Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    private static ExecutorService virtualThreads() {
        try {
            Method m = Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
            return (ExecutorService) m.invoke(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // Java 17-20
        }
    }

    private static ExecutorService platformThreads() {
        AtomicInteger count = new AtomicInteger();
        ThreadFactory named = r -> {
            Thread t = new Thread(r, "moryflow-upstream-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), named);
    }
}
