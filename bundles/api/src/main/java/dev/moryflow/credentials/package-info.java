/**
 * Credentials: the {@link dev.moryflow.credentials.CredentialStore}, the only place the hub keeps a secret.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.0.0")
package dev.moryflow.credentials;
