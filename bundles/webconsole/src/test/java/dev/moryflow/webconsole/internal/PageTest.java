package dev.moryflow.webconsole.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;

public class PageTest {

    private static final String TOKEN = "tok-123";
    private final Page page = new Page("/system/console/moryflow", TOKEN);

    private static ProviderRow row(String id, String status, boolean hasKey, boolean held, int entries) {
        return new ProviderRow(id, "<b>" + id + "</b>", "https://" + id + ".example.com/v1", null, null, status, "ok",
                hasKey ? "fingerprint ab12, stored today" : "none", List.of("m1", "m2"),
                "moryflow.provider.openai~" + id, null, hasKey, held, entries);
    }

    @Test
    public void everyFormPostsWithTheToken() {
        String html = page.render(List.of(row("a", "ready", true, true, 2), row("b", "needs key", false, false, 0)),
                NewProvider.empty(), false, null);
        Matcher forms = Pattern.compile("<form [^>]*>").matcher(html);
        int n = 0;
        while (forms.find()) {
            n++;
            assertTrue(forms.group(), forms.group().contains("method='post'"));
        }
        assertEquals("a: rotate, delete, confirm, remove; b: set, remove; add", 7, n);
        assertEquals(n, html.split("name='token' value='" + TOKEN + "'", -1).length - 1);
        assertTrue(html.contains("class='mf-action rotate-key'"));
        assertTrue(html.contains("class='mf-action set-key'"));
        assertTrue(html.contains("Its configuration moryflow.provider.openai~a, its stored key and 2 model entries "
                + "go with it."));
    }

    @Test
    public void whatUsersTypedIsEscapedAndNeverTheKey() {
        NewProvider form = NewProvider.check(Map.of("id", "x'y", "name", "${appRoot}<script>", "baseUrl", "nope",
                "models", ""), id -> false);
        String html = page.render(List.of(row("a", "ready", false, false, 0)), form, true, Page.Notice.error("<i>"));
        assertFalse(html.contains("<script>"));
        assertFalse(html.contains("<b>a</b>"));
        assertFalse("the console's substitution sees no ${", html.contains("${"));
        assertTrue(html.contains("&#36;{appRoot}&lt;script&gt;"));
        assertTrue(html.contains("id='error-baseUrl'"));
        assertTrue(html.contains("the key was not kept: type it again"));
        Matcher key = Pattern.compile("<input id='add-apiKey'[^>]*>").matcher(html);
        assertTrue(key.find());
        assertFalse("the key field is never filled in", key.group().contains("value="));
    }

    @Test
    public void theSummaryCountsWhatNeedsDoing() {
        assertEquals("3 providers: 1 ready, 1 needs a key, 1 disabled.", Page.summary(List.of(
                row("a", "ready", true, false, 0), row("b", "needs key: x", false, false, 0),
                row("c", "disabled", false, false, 0))));
    }
}
