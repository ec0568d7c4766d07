package dev.moryflow.distribution;

import static org.junit.Assume.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;

/**
 * What every browser test shares: a {@link RunningHub}, chromedriver on a free port, and {@link #browser()} for a
 * headless Chromium session. Needs Debian's chromium and chromium-driver (.ci/run installs them); every browser
 * test is skipped with -Dbrowser.skip=true.
 */
abstract class BrowserTestSupport {

    protected RunningHub hub;
    private Process driver;
    private int driverPort;

    @Before
    public void startHubAndDriver() throws Exception {
        assumeFalse("browser test skipped (-Dbrowser.skip=true)", Boolean.getBoolean("moryflow.browser.skip"));
        String chromedriver = executable("chromedriver", "/usr/bin/chromedriver");
        hub = new RunningHub();
        driverPort = RunningHub.freePort();
        driver = new ProcessBuilder(chromedriver, "--port=" + driverPort).redirectErrorStream(true)
                .redirectOutput(hub.home().resolve("chromedriver.out").toFile()).start();
        RunningHub.awaitHttp("http://127.0.0.1:" + driverPort + "/status", null, null);
    }

    @After
    public void stopHubAndDriver() throws Exception {
        if (driver != null) {
            driver.destroy();
            if (!driver.waitFor(20, TimeUnit.SECONDS)) {
                driver.destroyForcibly();
            }
        }
        if (hub != null) {
            hub.close();
        }
    }

    /** @return a new headless Chromium session; close it */
    protected WebDriver browser() throws Exception {
        return new WebDriver(driverPort, executable("chromium", "/usr/bin/chromium"));
    }

    private static String executable(String name, String usual) {
        if (Files.isExecutable(Paths.get(usual))) {
            return usual;
        }
        throw new AssertionError(name + " is not installed: `apt-get install chromium chromium-driver` (.ci/run does"
                + " it), or skip the browser test with -Dbrowser.skip=true");
    }
}
