package dev.moryflow.provider;

/** The handle of a call that ended before it could be cancelled. */
enum Done implements StreamHandle {
    INSTANCE;

    @Override
    public void cancel() {
        // nothing runs
    }

    @Override
    public boolean isDone() {
        return true;
    }
}
