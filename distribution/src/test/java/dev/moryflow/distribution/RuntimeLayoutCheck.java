package dev.moryflow.distribution;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import dev.moryflow.distribution.FeaturesRepository.BundleRef;

/**
 * Compares an assembled runtime with the features repository, both ways, and says what to change:
 * <ul>
 * <li>the bundles of features {@value #RUNTIME_FEATURE} and {@value #DEFAULT_FEATURE} (and of the features they
 * include) are the jars of {@code boot/} (those with {@code start-level="1"}) and {@code bundle/} (all others);</li>
 * <li>the bundles of every other feature (the extras) are the jars of {@code extras/};</li>
 * <li>{@code felix.auto.start.1} in {@code conf/config.properties} starts exactly the jars of {@code boot/};</li>
 * <li>the split between the Felix distribution and a container (Karaf): what a container has of its own
 * ({@link #CONTAINER_BUNDLES}) is listed in {@value #RUNTIME_FEATURE} only, which no feature includes; every other
 * bundle starts at level 80 (or the container's default).</li>
 * </ul>
 */
final class RuntimeLayoutCheck {

    static final String DEFAULT_FEATURE = "moryflow";
    /** What the Felix distribution runs in place of a container's own services (logging, DS, shell, ...). */
    static final String RUNTIME_FEATURE = "moryflow-felix-runtime";
    /** The start level of every bundle a container installs for the hub (Karaf's usual level for applications). */
    static final int HUB_START_LEVEL = 80;
    /**
     * {@code mvn:} URL beginnings of the bundles a container (Karaf) has of its own; a second copy fights it (a
     * second shell, EventAdmin or SCR, refreshed bundles).
     */
    static final List<String> CONTAINER_BUNDLES = List.of("mvn:org.ops4j.pax.logging/",
            "mvn:org.apache.felix/org.apache.felix.configadmin/", "mvn:org.apache.felix/org.apache.felix.fileinstall/",
            "mvn:org.apache.felix/org.apache.felix.metatype/", "mvn:org.apache.felix/org.apache.felix.eventadmin/",
            "mvn:org.apache.felix/org.apache.felix.scr/", "mvn:org.apache.felix/org.apache.felix.gogo.",
            "mvn:org.jline/", "mvn:org.osgi/org.osgi.util.", "mvn:org.osgi/org.osgi.service.component/");
    private static final String FEATURES_FILE = "features/src/main/feature/features.xml";
    private static final String POM = "distribution/pom.xml";

    private RuntimeLayoutCheck() {
    }

    /**
     * @param repository the features repository
     * @param runtime    the runtime's folder (the one holding boot/, bundle/, extras/, conf/)
     * @return one sentence per disagreement; empty when the runtime matches the features
     * @throws IOException if a folder cannot be listed
     */
    static List<String> check(FeaturesRepository repository, Path runtime) throws IOException {
        List<String> problems = new ArrayList<>(repository.problems());
        if (!repository.has(DEFAULT_FEATURE)) {
            problems.add(FEATURES_FILE + " defines no feature '" + DEFAULT_FEATURE + "' (the default runtime)");
            return problems;
        }
        if (!repository.has(RUNTIME_FEATURE)) {
            problems.add(FEATURES_FILE + " defines no feature '" + RUNTIME_FEATURE + "' (what the Felix distribution "
                    + "runs in place of a container's own services)");
            return problems;
        }
        checkSplit(problems, repository);
        Set<String> runtimeFeatures = new LinkedHashSet<>(repository.closure(RUNTIME_FEATURE));
        runtimeFeatures.addAll(repository.closure(DEFAULT_FEATURE));
        Map<String, BundleRef> runtimeBundles = repository.bundlesOf(runtimeFeatures);
        Set<String> extraFeatures = new LinkedHashSet<>(repository.featureNames());
        extraFeatures.removeAll(runtimeFeatures);
        Map<String, BundleRef> extraBundles = repository.bundlesOf(extraFeatures);
        extraBundles.keySet().removeAll(runtimeBundles.keySet());

        Map<String, BundleRef> boot = new LinkedHashMap<>();
        Map<String, BundleRef> bundle = new LinkedHashMap<>();
        for (BundleRef ref : runtimeBundles.values()) {
            if (ref.fileName() != null) {
                (ref.startLevel() == 1 ? boot : bundle).put(ref.fileName(), ref);
            }
        }
        Map<String, BundleRef> extras = new LinkedHashMap<>();
        for (BundleRef ref : extraBundles.values()) {
            if (ref.fileName() != null) {
                extras.put(ref.fileName(), ref);
            }
        }

        compare(problems, "boot/", boot, jars(runtime.resolve("boot")),
                "a <dependency> in " + POM + " and its artifactId in the includeArtifactIds of the 'boot' copy");
        compare(problems, "bundle/", bundle, jars(runtime.resolve("bundle")),
                "a <dependency> (compile scope) in " + POM);
        compare(problems, "extras/", extras, jars(runtime.resolve("extras")),
                "a <dependency> with <scope>provided</scope> in " + POM);
        checkAutoStart(problems, runtime);
        return problems;
    }

    private static void checkSplit(List<String> problems, FeaturesRepository repository) {
        for (String feature : repository.featureNames()) {
            if (repository.includesOf(feature).contains(RUNTIME_FEATURE)) {
                problems.add("feature '" + feature + "' includes '" + RUNTIME_FEATURE + "', which is for the Felix "
                        + "distribution only: include the container's feature instead (Karaf's scr, eventadmin, "
                        + "shell) with <feature dependency=\"true\">");
            }
        }
        Set<String> others = new LinkedHashSet<>(repository.featureNames());
        others.remove(RUNTIME_FEATURE);
        for (BundleRef ref : repository.bundlesOf(others).values()) {
            if (CONTAINER_BUNDLES.stream().anyMatch(ref.url()::startsWith)) {
                problems.add("feature '" + ref.feature() + "' lists " + ref.url() + ", which a container has of its "
                        + "own: list it in '" + RUNTIME_FEATURE + "' only (for the Felix distribution) and include "
                        + "the container's feature with <feature dependency=\"true\"> (Karaf: scr, eventadmin, shell)");
            } else if (ref.startLevel() != 0 && ref.startLevel() != HUB_START_LEVEL) {
                problems.add("feature '" + ref.feature() + "': " + ref.url() + " has start-level=\"" + ref.startLevel()
                        + "\"; the hub's bundles start at " + HUB_START_LEVEL + ", after the container's own");
            }
        }
    }

    private static void compare(List<String> problems, String folder, Map<String, BundleRef> expected,
            Set<String> actual, String fix) {
        for (Map.Entry<String, BundleRef> entry : expected.entrySet()) {
            if (!actual.contains(entry.getKey())) {
                BundleRef ref = entry.getValue();
                problems.add(folder + " lacks " + entry.getKey() + ", which feature '" + ref.feature() + "' lists ("
                        + ref.url() + "): add " + fix);
            }
        }
        for (String jar : actual) {
            if (!expected.containsKey(jar)) {
                problems.add(folder + " has " + jar + ", which no feature puts there: list it in " + FEATURES_FILE
                        + " (in the right feature), or remove its <dependency> from " + POM);
            }
        }
    }

    private static void checkAutoStart(List<String> problems, Path runtime) throws IOException {
        Path config = runtime.resolve("conf/config.properties");
        if (!Files.isRegularFile(config)) {
            problems.add("conf/config.properties is missing");
            return;
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(config, StandardCharsets.ISO_8859_1)) {
            properties.load(reader);
        }
        Set<String> started = new TreeSet<>();
        for (String location : properties.getProperty("felix.auto.start.1", "").trim().split("\\s+")) {
            if (location.isEmpty()) {
                continue;
            }
            if (!location.startsWith("file:boot/")) {
                problems.add("conf/config.properties: felix.auto.start.1 names " + location
                        + "; start level 1 is for the jars of boot/ (file:boot/<jar>)");
                continue;
            }
            started.add(location.substring("file:boot/".length()));
        }
        Set<String> boot = jars(runtime.resolve("boot"));
        for (String jar : started) {
            if (!boot.contains(jar)) {
                problems.add("conf/config.properties: felix.auto.start.1 starts boot/" + jar
                        + ", which is not there: make it name the jars of boot/");
            }
        }
        for (String jar : boot) {
            if (!started.contains(jar)) {
                problems.add("boot/" + jar + " is never started: add file:boot/" + jar
                        + " to felix.auto.start.1 in conf/config.properties");
            }
        }
    }

    /** @return the names of the *.jar files in the folder; empty if it does not exist */
    static Set<String> jars(Path folder) throws IOException {
        Set<String> names = new TreeSet<>();
        if (!Files.isDirectory(folder)) {
            return names;
        }
        try (Stream<Path> files = Files.list(folder)) {
            files.map(file -> file.getFileName().toString()).filter(name -> name.endsWith(".jar")).forEach(names::add);
        }
        return names;
    }
}
