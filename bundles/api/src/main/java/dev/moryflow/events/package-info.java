/**
 * Event topics and properties the hub posts through EventAdmin. No event ever carries a key or message content.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package dev.moryflow.events;
