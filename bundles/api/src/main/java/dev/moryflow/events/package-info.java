/**
 * Event topics and properties the hub posts through EventAdmin. No event ever carries a key or message content.
 * <p>
 * 1.2: {@code moryflow/provider/HEALTH} ({@code health}, {@code reason}); {@code route} and {@code attempt} on chat
 * events of an alias.
 * <p>
 * 1.3: {@code retry.after.ms} on {@code chat/FAILED} when the upstream asked to be left alone for a while.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.3.0")
package dev.moryflow.events;
