package dev.moryflow.chat.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.IdentityHashMap;

/**
 * The chats running through one provider service registration. When the registration goes, {@link #close} hands
 * back those still running, to be ended, and refuses any added later: no chat keeps waiting for, or listening to, a
 * provider that is gone, whatever its bundle does with its own calls.
 *
 * @param <T> a running chat
 */
final class RunningChats<T> {

    private final Map<T, Boolean> chats = new IdentityHashMap<>();
    private boolean closed;

    /** @return whether the chat was added; false once the registration is gone */
    synchronized boolean add(T chat) {
        if (closed) {
            return false;
        }
        chats.put(chat, Boolean.TRUE);
        return true;
    }

    /** Forgets a chat that ended. */
    synchronized void remove(T chat) {
        chats.remove(chat);
    }

    /** @return the chats still running, now forgotten; none can be added any more */
    synchronized List<T> close() {
        closed = true;
        List<T> running = new ArrayList<>(chats.keySet());
        chats.clear();
        return running;
    }

    /** @return how many chats are running */
    synchronized int size() {
        return chats.size();
    }
}
