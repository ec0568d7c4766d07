/**
 * Event topics and properties the hub posts through EventAdmin. No event ever carries a key or message content.
 * <p>
 * 1.2: {@code moryflow/provider/HEALTH} ({@code health}, {@code reason}); {@code route} and {@code attempt} on chat
 * events of an alias.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package dev.moryflow.events;
