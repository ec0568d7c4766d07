package dev.moryflow.distribution;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import com.sun.net.httpserver.HttpServer;

/**
 * The Web Console's Model Management plugin in headless Chromium, as a user drives it: log in with the password
 * the hub printed, see the providers, add a custom provider pointed at this test's own upstream (first with a wrong
 * base URL: the error stands beside the field and the typed key is not in the page; then with an extra header), add
 * a model with capability tags, set its key and see the fingerprint, run Test and read the doctor's report, fetch
 * the upstream's models and add one, rotate the key and see the fingerprint change, remove the provider (the dialog
 * and the answer say that its key and its model entry go with it). The upstream records the Authorization header of
 * every request: it proves which key the Test and each chat through {@code /v1} sent. Every page's HTML and address,
 * every gateway answer and the hub's output are scanned for the keys. Screenshots: target/console-*.png (copied to
 * docs/ for the README).
 */
public class ModelManagementBrowserIT extends BrowserTestSupport {

    private static final String KEY_TYPO = "sk-typed-with-a-wrong-url-0001";
    private static final String KEY_1 = "sk-first-key-of-my-upstream-1111";
    private static final String KEY_2 = "sk-rotated-key-of-my-upstream-2222";
    private static final List<String> KEYS = List.of(KEY_TYPO, KEY_1, KEY_2);
    private static final Pattern FINGERPRINT = Pattern.compile("fingerprint (\\S+?),");

    private WebDriver browser;
    private int pages;
    private HttpServer upstream;
    /** How the upstream answers chats: as the runtime tests' fake does. */
    private FakeOpenAiUpstream chats;
    /** Authorization and X-Team headers of every request the upstream received, in order. */
    private final List<String> received = new CopyOnWriteArrayList<>();

    @Before
    public void startUpstream() throws IOException {
        chats = new FakeOpenAiUpstream();
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        upstream.createContext("/", ex -> {
            received.add(ex.getRequestMethod() + " " + ex.getRequestURI().getPath() + " auth="
                    + ex.getRequestHeaders().getFirst("Authorization") + " team="
                    + ex.getRequestHeaders().getFirst("X-Team"));
            if (ex.getRequestURI().getPath().endsWith("/models")) {
                byte[] list = ("{\"object\":\"list\",\"data\":[{\"id\":\"chat-model\",\"object\":\"model\"},"
                        + "{\"id\":\"extra-model\",\"object\":\"model\"}]}").getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "application/json");
                ex.sendResponseHeaders(200, list.length);
                ex.getResponseBody().write(list);
                ex.close();
            } else {
                chats.answer(ex);
            }
        });
        upstream.start();
    }

    @After
    public void stopUpstream() {
        if (chats != null) {
            chats.close();
        }
        if (upstream != null) {
            upstream.stop(0);
        }
    }

    @Test
    public void aUserAddsAProviderAndAModelSetsAKeyTestsFetchesRotatesAndRemovesItInTheConsole() throws Exception {
        String upstreamUrl = "http://127.0.0.1:" + upstream.getAddress().getPort() + "/v1";
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
            b.type(b.find("#add-headers"), "X-Team: browser");
            b.type(b.find("#add-timeoutSeconds"), "30");
            b.click(b.find("#add-provider button"));
            String error = b.text(b.await("#error-baseUrl", 20));
            assertTrue(error, error.contains("is not a valid URL"));
            assertTrue(b.text(b.find("#error-apiKey")).contains("type it again"));
            assertEquals("", b.property(b.find("#add-apiKey"), "value"));
            assertEquals("what was typed stays", "X-Team: browser", b.property(b.find("#add-headers"), "value"));
            assertNull("nothing was made", b.find("#provider-my-upstream"));
            scan();
            shot("console-add-provider-error.png");

            b.click(b.find("#add-baseUrl"));
            clear(b.find("#add-baseUrl"));
            b.type(b.find("#add-baseUrl"), upstreamUrl);
            b.click(b.find("#add-provider button"));
            String notice = awaitText("#notice", "Added provider My Upstream (my-upstream)");
            assertTrue(notice, notice.contains("no key"));
            String row = b.text(b.await("#provider-my-upstream", 20));
            assertTrue(row, row.contains("ready (no key needed)") && row.contains("chat-model"));
            scan();

            // Add Model: the provider from the list, tags as checkboxes; the model joins the provider's models
            b.click(b.find("#model-provider option[value='my-upstream']"));
            b.type(b.find("#model-id"), "vision-model");
            b.type(b.find("#model-displayName"), "Vision Model");
            b.type(b.find("#model-contextWindow"), "32,000");
            b.click(b.find("#cap-chat"));
            b.click(b.find("#cap-vision"));
            shot("console-add-model.png");
            b.click(b.find("#add-model button"));
            String modelAdded = awaitText("#notice", "Added model my-upstream/vision-model");
            assertTrue(modelAdded, modelAdded.endsWith("capabilities chat, vision."));
            awaitText("#provider-my-upstream .models", "vision-model");
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
            String chat1 = chatThroughTheGateway();
            assertTrue("the upstream got the key and the extra header: " + chat1, chat1.equals(
                    "POST /v1/chat/completions auth=Bearer " + KEY_1 + " team=browser"));

            // Test: the doctor's report, step by step; its requests carried the key
            received.clear();
            b.click(b.find("#provider-my-upstream form.test button"));
            String result = awaitText("#report-result", "OK in");
            assertTrue(result, result.startsWith("OK in"));
            for (String step : new String[] { "Base URL", "Connection", "Key", "Model", "Response format",
                "Test message", "Security" }) {
                assertEquals(step, "passed", outcome(step));
            }
            // the Base URL probe asks without a key; the provider's own requests (models, chats) carry it
            assertTrue("the Test sent the key: " + received, received.stream().filter(r -> !r.contains("auth=null"))
                    .allMatch(r -> r.contains("auth=Bearer " + KEY_1 + " ")) && received.stream()
                            .filter(r -> r.startsWith("POST /v1/chat/completions")).count() >= 2
                    && received.stream().filter(r -> r.startsWith("POST "))
                            .allMatch(r -> r.contains("auth=Bearer " + KEY_1 + " ")));
            scan();
            shot("console-test-report.png");

            // Fetch models: what the upstream serves against the list; tick one and add it
            b.click(b.find("#provider-my-upstream form.fetch-models button"));
            awaitText("#remote-title", "Models of provider my-upstream");
            assertTrue("a model in the list is shown ticked", b.source().contains(
                    "value=\"chat-model\" checked=\"checked\" disabled=\"disabled\""));
            b.click(b.find("#remote-models input[value='extra-model']"));
            scan();
            shot("console-fetch-models.png");
            b.click(b.find("form.add-models button"));
            awaitText("#notice", "Added to provider my-upstream: extra-model.");
            awaitText("#provider-my-upstream .models", "extra-model");
            scan();

            // Rotate key: a new fingerprint, and the upstream receives the new key
            b.type(b.find("#provider-my-upstream form.rotate-key input[name='apiKey']"), KEY_2);
            b.click(b.find("#provider-my-upstream form.rotate-key button"));
            String rotated = awaitText("#notice", "Key of provider my-upstream rotated (was " + fp1 + ")");
            String fp2 = b.text(b.find("#notice .fingerprint"));
            assertNotEquals(fp1, fp2);
            assertEquals(fp2, fingerprint(b.text(b.find("#provider-my-upstream .key"))));
            assertTrue(rotated, rotated.endsWith(fp2));
            scan();
            assertTrue(chatThroughTheGateway().contains("auth=Bearer " + KEY_2 + " "));

            // Remove: the dialog says what goes with it; the provider, its key and its model entry are gone
            b.click(b.find("#provider-my-upstream form.remove button"));
            String dialog = b.acceptDialog();
            assertTrue(dialog, dialog.contains("Its configuration moryflow.provider.openai~my-upstream, its stored key "
                    + "and 1 model entry go with it."));
            String removed = awaitText("#notice", "Removed provider my-upstream");
            assertTrue(removed, removed.contains("configuration moryflow.provider.openai~my-upstream, its key and 1 "
                    + "model entry (vision-model) are gone"));
            assertNull(b.find("#provider-my-upstream"));
            scan();
            assertTrue("pages scanned: " + pages, pages >= 10);
            assertNoKeyInTheHubsOutput();
        }
    }

    /** @return the outcome of a step of the Test report on the page ({@code passed}, {@code failed}, …) */
    private String outcome(String step) throws Exception {
        Matcher m = Pattern.compile("<tr class=\"step mf-[a-z]+\"><td class=\"step-name\">" + Pattern.quote(step)
                + "</td><td class=\"outcome\">([a-z]+)</td>").matcher(browser.source());
        assertTrue("no step " + step + " in the report", m.find());
        return m.group(1);
    }

    private void assertNoKeyInTheHubsOutput() throws Exception {
        try (java.util.stream.Stream<Path> files = Files.walk(hub.home())) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".out")
                    || p.toString().endsWith(".log") || p.toString().endsWith(".cfg"))::iterator) {
                String text = Files.readString(f, StandardCharsets.ISO_8859_1);
                for (String key : KEYS) {
                    assertFalse("a key is in " + f, text.contains(key));
                }
            }
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

    /** @return what this test's upstream recorded of a chat to my-upstream through /v1 (its Authorization header) */
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
        return received.get(received.size() - 1);
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
