package dev.moryflow.distribution;

import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The chat page in headless Chromium against the assembled runtime: paste the token, pick a model, send, see the
 * answer stream in; pick a failing model, see the error in plain words. Needs Debian's chromium and
 * chromium-driver (.ci/run installs them); skipped with -Dbrowser.skip=true. Screenshots: target/chat-page*.png.
 */
public class ChatPageBrowserIT {

    private RunningHub hub;
    private Process driver;
    private int driverPort;

    @Before
    public void start() throws Exception {
        assumeFalse("browser test skipped (-Dbrowser.skip=true)", Boolean.getBoolean("moryflow.browser.skip"));
        String chromedriver = executable("chromedriver", "/usr/bin/chromedriver");
        hub = new RunningHub();
        driverPort = RunningHub.freePort();
        driver = new ProcessBuilder(chromedriver, "--port=" + driverPort).redirectErrorStream(true)
                .redirectOutput(hub.home().resolve("chromedriver.out").toFile()).start();
        RunningHub.awaitHttp("http://127.0.0.1:" + driverPort + "/status", null, null);
    }

    @After
    public void stop() throws Exception {
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

    @Test
    public void pickAModelSendAMessageSeeTheAnswerStreamAndSeeAnError() throws Exception {
        try (WebDriver browser = new WebDriver(driverPort, executable("chromium", "/usr/bin/chromium"))) {
            browser.open(hub.base() + "/chat");
            browser.type(browser.await("#token", 20), RunningHub.TOKEN);
            browser.click(browser.find("#token-form button"));
            browser.await("#model:not([disabled]) option[value='fake/chat-model']", 20);
            browser.click(browser.find("option[value='fake/chat-model']"));
            browser.type(browser.find("#message"), "hello from the browser");
            browser.click(browser.find("#send"));
            String meta = browser.await(".turn.assistant .meta", 20);
            String turn = browser.text(browser.find(".turn.assistant"));
            assertTrue(turn, turn.startsWith(RunningHub.ANSWER));
            assertTrue(browser.text(meta), browser.text(meta).contains("first chunk"));
            Files.write(Paths.get("target", "chat-page.png"), browser.screenshot());

            browser.click(browser.find("option[value='fake/broken-model']"));
            browser.type(browser.find("#message"), "this one fails");
            browser.click(browser.find("#send"));
            String error = browser.text(browser.await(".turn.error", 20));
            assertTrue(error, error.contains("provider 'fake'") && error.contains("overloaded"));
            Files.write(Paths.get("target", "chat-page-error.png"), browser.screenshot());
        }
    }

    private static String executable(String name, String usual) {
        if (Files.isExecutable(Paths.get(usual))) {
            return usual;
        }
        throw new AssertionError(name + " is not installed: `apt-get install chromium chromium-driver` (.ci/run does"
                + " it), or skip the browser test with -Dbrowser.skip=true");
    }
}
