/**
 * The configurations users write through the hub's admin surfaces (the Web Console's Model Management, the shell),
 * checked before they are written, in the words the bundles that read them log when they refuse one: a
 * {@link dev.moryflow.config.ProviderForm} for a {@code moryflow.provider.openai} factory configuration and a
 * {@link dev.moryflow.config.ModelForm} for a {@code moryflow.model} one, each answering a
 * {@link dev.moryflow.config.CheckedForm} (every field's value, its error, and the properties to write). The chat
 * bundle reads {@code moryflow.model} configurations with {@link dev.moryflow.config.ModelForm} too, so a form and
 * the log never disagree.
 * <p>
 * 1.0: {@code CheckedForm}, {@code ProviderForm}, {@code ModelForm}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package dev.moryflow.config;
