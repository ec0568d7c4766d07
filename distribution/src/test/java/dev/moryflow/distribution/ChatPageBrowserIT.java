package dev.moryflow.distribution;

import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Paths;

import org.junit.Test;

/**
 * The chat page in headless Chromium against the assembled runtime: paste the token, pick a model, send, see the
 * answer stream in; pick a failing model, see the error in plain words ({@link BrowserTestSupport}: skipped with
 * -Dbrowser.skip=true). Screenshots: target/chat-page*.png.
 */
public class ChatPageBrowserIT extends BrowserTestSupport {

    @Test
    public void pickAModelSendAMessageSeeTheAnswerStreamAndSeeAnError() throws Exception {
        try (WebDriver browser = browser()) {
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
}
