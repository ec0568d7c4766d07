package dev.moryflow.distribution;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;

/**
 * The Web Console's Model Management plugin in headless Chromium, as a user drives it: log in with the password
 * the hub printed, see the providers, add a custom provider pointed at the fake upstream (first with a wrong base
 * URL: the error stands beside the field and the typed key is not in the page), set its key and see the
 * fingerprint, rotate it and see the fingerprint change, remove it. After each key change a chat through
 * {@code /v1} with the gateway token proves which key the upstream received. Every page's HTML and address is
 * scanned for the keys. Screenshots: target/console-*.png (copied to docs/ for the README).
 */
public class ModelManagementBrowserIT extends BrowserTestSupport {

    private static final String KEY_TYPO = "sk-typed-with-a-wrong-url-0001";
    private static final String KEY_1 = "sk-first-key-of-my-upstream-1111";
    private static final String KEY_2 = "sk-rotated-key-of-my-upstream-2222";
    private static final List<String> KEYS = List.of(KEY_TYPO, KEY_1, KEY_2);
    private static final Pattern FINGERPRINT = Pattern.compile("fingerprint (\\S+?),");

    private WebDriver browser;
    private int pages;

    @Test
    public void addAProviderSetRotateAndRemoveItsKeyInTheConsole() throws Exception {
        try (WebDriver b = browser()) {
            browser = b;
            b.resize(1400, 900);
            b.basicAuth("admin", hub.consolePassword());
            b.open(hub.base() + "/system/console/moryflow");
            b.await("#providers", 20);
            scan();
            String fake = b.text(b.find("#provider-fake"));
            assertTrue(fake, fake.contains("ready (no key needed)") && fake.contains("custom"));
            String groq = b.text(b.find("#provider-groq"));
            assertTrue(groq, groq.contains("preset") && groq.contains("needs key"));
            assertTrue(b.text(b.find("#provider-azure")).contains("disabled"));
            shot("console-model-management.png");

            // Add Provider: the id follows the name; a wrong base URL is named beside its field, the key is dropped
            b.type(b.find("#add-name"), "My Upstream");
            assertEquals("my-upstream", b.property(b.find("#add-id"), "value"));
            b.type(b.find("#add-baseUrl"), "127.0.0.1/v1");
            b.type(b.find("#add-apiKey"), KEY_TYPO);
            b.type(b.find("#add-models"), "chat-model");
            b.click(b.find("#add-provider button"));
            String error = b.text(b.await("#error-baseUrl", 20));
            assertTrue(error, error.contains("is not a valid URL"));
            assertTrue(b.text(b.find("#error-apiKey")).contains("type it again"));
            assertEquals("", b.property(b.find("#add-apiKey"), "value"));
            assertNull("nothing was made", b.find("#provider-my-upstream"));
            scan();
            shot("console-add-provider-error.png");

            b.click(b.find("#add-baseUrl"));
            clear(b.find("#add-baseUrl"));
            b.type(b.find("#add-baseUrl"), hub.upstreamBaseUrl());
            b.click(b.find("#add-provider button"));
            String notice = awaitText("#notice", "Added provider My Upstream (my-upstream)");
            assertTrue(notice, notice.contains("no key"));
            String row = b.text(b.await("#provider-my-upstream", 20));
            assertTrue(row, row.contains("ready (no key needed)") && row.contains("chat-model"));
            scan();

            // Set key: the answer and the row show its fingerprint; the upstream receives it
            b.type(b.find("#provider-my-upstream form.set-key input[name='apiKey']"), KEY_1);
            b.click(b.find("#provider-my-upstream form.set-key button"));
            String stored = awaitText("#notice", "Key stored for provider my-upstream");
            String fp1 = b.text(b.find("#notice .fingerprint"));
            assertTrue(stored, stored.endsWith(fp1));
            assertEquals(fp1, fingerprint(b.text(b.find("#provider-my-upstream .key"))));
            assertTrue(b.text(b.find("#provider-my-upstream .status")).equals("ready"));
            scan();
            shot("console-key-stored.png");
            assertEquals("Bearer " + KEY_1, chatThroughTheGateway());

            // Rotate key: a new fingerprint, and the upstream receives the new key
            b.type(b.find("#provider-my-upstream form.rotate-key input[name='apiKey']"), KEY_2);
            b.click(b.find("#provider-my-upstream form.rotate-key button"));
            String rotated = awaitText("#notice", "Key of provider my-upstream rotated (was " + fp1 + ")");
            String fp2 = b.text(b.find("#notice .fingerprint"));
            assertNotEquals(fp1, fp2);
            assertEquals(fp2, fingerprint(b.text(b.find("#provider-my-upstream .key"))));
            assertTrue(rotated, rotated.endsWith(fp2));
            scan();
            assertEquals("Bearer " + KEY_2, chatThroughTheGateway());

            // Remove: the dialog says what goes with it; the provider and its key are gone
            b.click(b.find("#provider-my-upstream form.remove button"));
            b.acceptDialog();
            String removed = awaitText("#notice", "Removed provider my-upstream");
            assertTrue(removed, removed.contains("configuration moryflow.provider.openai~my-upstream and its key"));
            assertNull(b.find("#provider-my-upstream"));
            scan();
            assertTrue("pages scanned: " + pages, pages >= 6);
        }
    }

    /** The page's HTML and address hold none of the keys typed in this test. */
    private void scan() throws Exception {
        String html = browser.source();
        assertTrue("the page source was read", html.contains("Model Management"));
        String url = browser.url();
        for (String key : KEYS) {
            assertFalse("a key is in the page " + url, html.contains(key));
            assertFalse("a key is in the address " + url, url.contains(key));
        }
        pages++;
    }

    /** @return the Authorization header the fake upstream received for a chat to my-upstream through /v1 */
    private String chatThroughTheGateway() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(hub.base()
                + "/v1/chat/completions")).header("Authorization", "Bearer " + RunningHub.TOKEN)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"my-upstream/chat-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(r.body(), 200, r.statusCode());
        assertTrue(r.body(), r.body().contains(RunningHub.ANSWER));
        for (String key : KEYS) {
            assertFalse("a key is in the gateway's answer", r.body().contains(key));
        }
        return hub.lastAuthorization();
    }

    private String awaitText(String css, String contains) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String last = null;
        while (System.nanoTime() < end) {
            try {
                String id = browser.find(css);
                last = id == null ? null : browser.text(id);
            } catch (java.io.IOException stale) {
                last = null; // found on the page that was just left: look again on the new one
            }
            if (last != null && last.contains(contains)) {
                return last;
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new AssertionError("'" + css + "' did not say '" + contains + "' within 20 s; it says: " + last);
    }

    private void clear(String element) throws Exception {
        String value = browser.property(element, "value");
        browser.type(element, "\uE003".repeat(value.length()));
    }

    private static String fingerprint(String keyCell) {
        Matcher m = FINGERPRINT.matcher(keyCell);
        assertTrue(keyCell, m.find());
        return m.group(1);
    }

    private void shot(String name) throws Exception {
        Path target = Paths.get("target", name);
        Files.write(target, browser.screenshot());
    }
}
