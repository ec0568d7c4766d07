package dev.moryflow.distribution;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class RuntimeLayoutCheckTest {

    private static final String FEATURES = """
            <features xmlns="http://karaf.apache.org/xmlns/features/v1.6.0" name="test">
              <feature name="moryflow" version="1">
                <feature>base</feature>
                <bundle start-level="80">mvn:dev.moryflow/moryflow-api/1.0</bundle>
              </feature>
              <feature name="base" version="1">
                <feature dependency="true">scr</feature>
                <bundle>mvn:com.squareup.okio/okio-jvm/3.18.2</bundle>
              </feature>
              <feature name="moryflow-felix-runtime" version="1">
                <bundle start-level="1">mvn:org.ops4j.pax.logging/pax-logging-api/2.3.2</bundle>
                <bundle>mvn:org.apache.felix/org.apache.felix.scr/2.2.18</bundle>
              </feature>
              <feature name="moryflow-provider-anthropic" version="1">
                <feature>moryflow</feature>
                <bundle>mvn:dev.moryflow/moryflow-provider-anthropic/1.0</bundle>
              </feature>
            </features>
            """;

    @Rule
    public final TemporaryFolder temp = new TemporaryFolder();

    private Path runtime;

    @Before
    public void matchingRuntime() throws IOException {
        runtime = temp.newFolder("runtime").toPath();
        touch("boot/pax-logging-api-2.3.2.jar");
        touch("bundle/org.apache.felix.scr-2.2.18.jar");
        touch("bundle/moryflow-api-1.0.jar");
        touch("bundle/okio-jvm-3.18.2.jar");
        touch("extras/moryflow-provider-anthropic-1.0.jar");
        write("conf/config.properties", "felix.auto.start.1=file:boot/pax-logging-api-2.3.2.jar\n");
    }

    @Test
    public void runtimeThatMatchesTheFeaturesHasNoProblem() throws IOException {
        assertEquals(List.of(), check(FEATURES));
    }

    @Test
    public void missingBundleIsNamedWithItsFeatureAndTheFix() throws IOException {
        Files.delete(runtime.resolve("bundle/org.apache.felix.scr-2.2.18.jar"));
        List<String> problems = check(FEATURES);
        assertEquals(1, problems.size());
        assertContains(problems.get(0), "bundle/ lacks org.apache.felix.scr-2.2.18.jar");
        assertContains(problems.get(0), "feature 'moryflow-felix-runtime'");
        assertContains(problems.get(0), "distribution/pom.xml");
    }

    @Test
    public void jarNoFeatureListsIsReportedAsExtra() throws IOException {
        touch("bundle/kotlin-stdlib-2.3.10.jar");
        List<String> problems = check(FEATURES);
        assertEquals(1, problems.size());
        assertContains(problems.get(0), "bundle/ has kotlin-stdlib-2.3.10.jar, which no feature puts there");
    }

    @Test
    public void bundleOfAFeatureOutsideMoryflowBelongsInExtrasNotBundle() throws IOException {
        Files.move(runtime.resolve("extras/moryflow-provider-anthropic-1.0.jar"),
                runtime.resolve("bundle/moryflow-provider-anthropic-1.0.jar"));
        List<String> problems = check(FEATURES);
        assertEquals(2, problems.size());
        assertContains(String.join("\n", problems), "extras/ lacks moryflow-provider-anthropic-1.0.jar");
        assertContains(String.join("\n", problems), "bundle/ has moryflow-provider-anthropic-1.0.jar");
    }

    @Test
    public void startLevelOneBundleBelongsInBoot() throws IOException {
        Files.move(runtime.resolve("boot/pax-logging-api-2.3.2.jar"), runtime.resolve("bundle/pax-logging-api-2.3.2.jar"));
        String problems = String.join("\n", check(FEATURES));
        assertContains(problems, "boot/ lacks pax-logging-api-2.3.2.jar");
        assertContains(problems, "bundle/ has pax-logging-api-2.3.2.jar");
        assertContains(problems, "felix.auto.start.1 starts boot/pax-logging-api-2.3.2.jar, which is not there");
    }

    @Test
    public void bootJarNotInFelixAutoStartIsReported() throws IOException {
        write("conf/config.properties", "felix.auto.start.1=\n");
        List<String> problems = check(FEATURES);
        assertEquals(1, problems.size());
        assertContains(problems.get(0), "boot/pax-logging-api-2.3.2.jar is never started");
    }

    @Test
    public void unfilteredVersionAndUndefinedFeatureAreProblemsOfTheFile() throws IOException {
        String broken = FEATURES
                .replace("mvn:dev.moryflow/moryflow-api/1.0", "mvn:dev.moryflow/moryflow-api/${project.version}")
                .replace("<feature>base</feature>", "<feature>base</feature><feature>nowhere</feature>");
        String problems = String.join("\n", check(broken));
        assertContains(problems, "${...} the build did not fill in");
        assertContains(problems, "includes feature 'nowhere', which features.xml does not define");
    }

    @Test
    public void aContainersBundleOutsideTheFelixRuntimeFeatureIsNamedWithTheFix() throws IOException {
        String problems = String.join("\n", check(FEATURES.replace(
                "<bundle>mvn:com.squareup.okio/okio-jvm/3.18.2</bundle>",
                "<bundle>mvn:com.squareup.okio/okio-jvm/3.18.2</bundle>"
                        + "<bundle>mvn:org.apache.felix/org.apache.felix.gogo.runtime/1.1.6</bundle>")));
        assertContains(problems, "feature 'base' lists mvn:org.apache.felix/org.apache.felix.gogo.runtime/1.1.6, "
                + "which a container has of its own: list it in 'moryflow-felix-runtime' only");
    }

    @Test
    public void includingTheFelixRuntimeFeatureIsRefused() throws IOException {
        String problems = String.join("\n", check(FEATURES.replace("<feature>base</feature>",
                "<feature>base</feature><feature>moryflow-felix-runtime</feature>")));
        assertContains(problems, "feature 'moryflow' includes 'moryflow-felix-runtime', which is for the Felix "
                + "distribution only");
    }

    @Test
    public void aHubBundleAtAnotherStartLevelThan80IsReported() throws IOException {
        String problems = String.join("\n", check(FEATURES.replace("<bundle start-level=\"80\">mvn:dev.moryflow",
                "<bundle start-level=\"1\">mvn:dev.moryflow")));
        assertContains(problems, "mvn:dev.moryflow/moryflow-api/1.0 has start-level=\"1\"; the hub's bundles start "
                + "at 80");
    }

    @Test
    public void aContainersFeatureIsIncludedAsADependencyAndAnUndefinedPlainIncludeIsAProblem() throws IOException {
        assertEquals(List.of(), check(FEATURES));
        String problems = String.join("\n", check(FEATURES.replace("<feature dependency=\"true\">scr</feature>",
                "<feature>scr</feature>")));
        assertContains(problems, "includes feature 'scr', which features.xml does not define");
    }

    @Test
    public void missingDefaultFeatureIsReported() throws IOException {
        String problems = String.join("\n", check(FEATURES.replace("name=\"moryflow\"", "name=\"other\"")));
        assertContains(problems, "defines no feature 'moryflow'");
    }

    @Test
    public void mvnUrlMapsToTheCopiedFileName() {
        assertEquals("okhttp-jvm-5.5.1.jar", new FeaturesRepository.BundleRef("mvn:com.squareup.okhttp3/okhttp-jvm/5.5.1", "f", 0).fileName());
        assertEquals("moryflow-features-1-features.xml",
                new FeaturesRepository.BundleRef("mvn:dev.moryflow/moryflow-features/1/xml/features", "f", 0).fileName());
        assertEquals(null, new FeaturesRepository.BundleRef("file:/tmp/x.jar", "f", 0).fileName());
    }

    private List<String> check(String features) throws IOException {
        Path xml = temp.getRoot().toPath().resolve("features.xml");
        Files.writeString(xml, features, StandardCharsets.UTF_8);
        return RuntimeLayoutCheck.check(FeaturesRepository.parse(xml), runtime);
    }

    private void touch(String path) throws IOException {
        write(path, "");
    }

    private void write(String path, String content) throws IOException {
        Path file = runtime.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }

    private static void assertContains(String text, String part) {
        assertTrue("expected «" + part + "» in:\n" + text, text.contains(part));
    }
}
