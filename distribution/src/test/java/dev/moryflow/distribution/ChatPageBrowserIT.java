package dev.moryflow.distribution;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;

/**
 * The chat page in headless Chromium against the assembled runtime: paste the token, pick a model, send, see the
 * answer stream in (its first piece is on the page while the upstream still holds the rest); pick a failing model, see
 * the error in plain words; pick a route from its own group, see which provider answered after which targets
 * ({@link BrowserTestSupport}: skipped with -Dbrowser.skip=true). Screenshots: target/chat-page*.png.
 */
public class ChatPageBrowserIT extends BrowserTestSupport {

    @Test
    public void theAnswersFirstPieceIsOnThePageBeforeTheUpstreamSendsTheRestAndAnErrorIsInPlainWords()
            throws Exception {
        // a route whose first target fails (500): the chat falls back to the second
        Files.writeString(hub.home().resolve("deploy/moryflow.route-fast.cfg"),
                "targets = fake/broken-model, fake/chat-model\n");
        RunningHub.awaitHttp(hub.base() + "/v1/models", "\"fast\"", RunningHub.TOKEN);
        try (WebDriver browser = browser()) {
            browser.open(hub.base() + "/chat");
            browser.type(browser.await("#token", 20), RunningHub.TOKEN);
            browser.click(browser.find("#token-form button"));
            browser.await("#model:not([disabled]) option[value='fake/chat-model']", 20);
            browser.click(browser.find("option[value='fake/chat-model']"));
            browser.type(browser.find("#message"), "hello from the browser");
            CountDownLatch rest = hub.upstream().holdNextStreamAfterItsFirstPiece();
            browser.click(browser.find("#send"));
            String first = FakeOpenAiUpstream.PIECES.get(0);
            assertEquals("the first piece is on the page while the upstream holds the rest", first,
                    browser.awaitText(".turn.assistant", first, 20));
            assertNull("the answer is not finished while the upstream holds the rest",
                    browser.find(".turn.assistant .meta"));
            rest.countDown();
            String meta = browser.text(browser.await(".turn.assistant .meta", 20));
            String turn = browser.text(browser.find(".turn.assistant"));
            assertTrue(turn, turn.startsWith(RunningHub.ANSWER));
            Matcher times = Pattern.compile("first chunk (\\d+) ms \\S (\\d+) ms").matcher(meta);
            assertTrue(meta, times.find());
            assertTrue("the first chunk came before the end: " + meta,
                    Long.parseLong(times.group(1)) < Long.parseLong(times.group(2)));
            Files.write(Paths.get("target", "chat-page.png"), browser.screenshot());

            browser.click(browser.find("option[value='fake/broken-model']"));
            browser.type(browser.find("#message"), "this one fails");
            browser.click(browser.find("#send"));
            String error = browser.text(browser.await(".turn.error", 20));
            assertTrue(error, error.contains("provider 'fake'") && error.contains("overloaded"));
            Files.write(Paths.get("target", "chat-page-error.png"), browser.screenshot());

            // the route, in the picker's "Routes" group: the page says what it is and who answered
            String route = browser.find("optgroup[label='Routes'] option[value='fast']");
            assertEquals("fast (route: fake/broken-model, fake/chat-model)", browser.text(route));
            browser.click(route);
            String info = browser.text(browser.find("#model-info"));
            assertEquals("Route: fake/broken-model \u2192 fake/chat-model (tried in this order, a degraded provider last)",
                    info);
            browser.type(browser.find("#message"), "through the route");
            browser.click(browser.find("#send"));
            String routed = browser.text(browser.await(".turn.assistant:last-of-type .meta", 20));
            assertTrue(routed, routed.startsWith("fake (tried fake/broken-model, fake/chat-model) · first chunk"));
            String answer = browser.text(browser.find(".turn.assistant:last-of-type"));
            assertTrue(answer, answer.startsWith(RunningHub.ANSWER));
            Files.write(Paths.get("target", "chat-page-route.png"), browser.screenshot());
        }
    }
}
