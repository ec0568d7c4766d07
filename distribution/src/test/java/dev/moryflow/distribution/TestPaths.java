package dev.moryflow.distribution;

import java.nio.file.Path;
import java.nio.file.Paths;

/** The paths failsafe hands the ITs as system properties (see distribution/pom.xml). */
final class TestPaths {

    private TestPaths() {
    }

    static Path fromProperty(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + property + " is not set: run this test with"
                    + " `mvn verify` in distribution/ (failsafe sets it)");
        }
        return Paths.get(value);
    }
}
