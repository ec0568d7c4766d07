package dev.moryflow.distribution;

import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.Test;

/**
 * The assembled runtime (target/moryflow-&lt;version&gt;) against features.xml, the one list of its bundles, and
 * against the layout the README documents. Run by failsafe after the runtime is assembled.
 */
public class FeaturesMatchRuntimeIT {

    @Test
    public void runtimeHoldsExactlyTheBundlesOfTheFeatures() throws IOException {
        Path features = TestPaths.fromProperty("moryflow.features");
        Path runtime = TestPaths.fromProperty("moryflow.dir");
        assertTrue("no features file at " + features, Files.isRegularFile(features));
        List<String> problems = RuntimeLayoutCheck.check(FeaturesRepository.parse(features), runtime);
        if (!problems.isEmpty()) {
            fail("The runtime " + runtime + " does not match " + features + ":\n  - " + String.join("\n  - ", problems));
        }
    }

    @Test
    public void runtimeHasTheDocumentedLayout() {
        Path runtime = TestPaths.fromProperty("moryflow.dir");
        List<String> missing = new ArrayList<>();
        for (String file : List.of("bin/moryflow", "bin/felix.jar", "conf/config.properties", "etc/log4j2.xml",
                "etc/gosh_profile", "deploy/lmstudio.cfg.example", "deploy/custom-provider.cfg.example",
                "deploy/azure-openai.cfg.example", "deploy/anthropic.cfg.example", "extras/README.txt")) {
            if (!Files.isRegularFile(runtime.resolve(file))) {
                missing.add(file);
            }
        }
        if (!missing.isEmpty()) {
            fail(runtime + " lacks " + String.join(", ", missing));
        }
        assertTrue("bin/moryflow must be executable", Files.isExecutable(runtime.resolve("bin/moryflow")));
    }
}
