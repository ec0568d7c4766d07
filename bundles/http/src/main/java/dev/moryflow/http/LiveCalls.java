package dev.moryflow.http;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.moryflow.provider.ProviderException;

/**
 * The chat calls of one provider that have not ended yet, so that a provider going away (its bundle stopped or
 * uninstalled, its configuration deleted or disabled) can end each of them at once with an error naming what
 * happened ({@link #abortAll}): a chat through it then never hangs and never completes later from a provider that is
 * no longer there. Calls forget themselves when they end. Thread-safe.
 *
 * @since 1.3
 */
public final class LiveCalls {

    private final Set<ListenerCall> calls = ConcurrentHashMap.newKeySet();

    /**
     * @param call a call about to be started
     * @param <T>  its type
     * @return the call
     */
    public <T extends ListenerCall> T track(T call) {
        calls.add(call);
        call.whenEnded(() -> calls.remove(call));
        return call;
    }

    /** @return how many calls have not ended */
    public int size() {
        return calls.size();
    }

    /**
     * Ends every call that has not ended, each listener told {@code reason}, each upstream connection closed.
     *
     * @param reason what the listeners are told
     */
    public void abortAll(ProviderException reason) {
        for (ListenerCall c : calls) {
            c.abort(reason);
        }
    }
}
