package dev.moryflow.credentials.internal;

/** Finds the configuration that owns a provider id now, and the origin of its base URL. */
interface Owners {

    /** The owner of a provider id: a configuration PID and the origin of its base URL (null when it has none). */
    final class Owner {
        final String pid;
        final String origin;

        Owner(String pid, String origin) {
            this.pid = pid;
            this.origin = origin;
        }
    }

    /**
     * @param providerId a provider id
     * @return its owning configuration, or null when no provider configuration has that id
     */
    Owner ownerOf(String providerId);
}
