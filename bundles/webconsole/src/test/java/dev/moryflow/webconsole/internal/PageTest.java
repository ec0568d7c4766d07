package dev.moryflow.webconsole.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;

import dev.moryflow.chat.RemoteModels;
import dev.moryflow.config.CheckedForm;
import dev.moryflow.config.ModelForm;
import dev.moryflow.config.ProviderForm;
import dev.moryflow.provider.Diagnosis;
import dev.moryflow.provider.DiagnosisStep;
import dev.moryflow.provider.ModelInfo;
import dev.moryflow.provider.Problem;

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
                Page.View.plain(true, true));
        Matcher forms = Pattern.compile("<form [^>]*>").matcher(html);
        int n = 0;
        while (forms.find()) {
            n++;
            assertTrue(forms.group(), forms.group().contains("method='post'"));
        }
        assertEquals("a: rotate, delete, confirm, test, fetch, remove; b: set, test, fetch, remove; add provider, "
                + "add model", 12, n);
        assertEquals(n, html.split("name='token' value='" + TOKEN + "'", -1).length - 1);
        assertTrue(html.contains("class='mf-action rotate-key'"));
        assertTrue(html.contains("class='mf-action set-key'"));
        assertTrue(html.contains("Its configuration moryflow.provider.openai~a, its stored key and 2 model entries "
                + "go with it."));
    }

    @Test
    public void healthShowsInItsColumnAndRoutesInTheirTable() {
        ProviderRow down = row("down", "ready", false, false, 0).withHealth(new dev.moryflow.chat.ProviderHealth(
                "down", true, "3 failures in 60 s, the last: connection failed", 1L));
        ProviderRow up = row("up", "ready", false, false, 0).withHealth(dev.moryflow.chat.ProviderHealth.healthy("up"));
        String html = page.render(List.of(down, up), Page.View.plain(true, true));
        assertTrue(html, html.contains("<td class='health'><span class='mf-status mf-warn'>degraded: 3 failures in "
                + "60 s, the last: connection failed</span></td>"));
        assertTrue(html, html.contains("<td class='health'><span class='mf-status mf-ok'>healthy</span></td>"));

        String routes = Page.routes(List.of(new dev.moryflow.chat.RouteDefinition("fast", List.of("down/m", "up/m"),
                java.util.Set.of("429", "5xx"), 5, "moryflow.route~fast", null), new dev.moryflow.chat.RouteDefinition(
                        "m1", List.of("up/m"), java.util.Set.of("5xx"), 5, "moryflow.route~m1",
                        "alias 'm1' would shadow the model of up/m1")));
        assertTrue(routes, routes.contains("<tr id='route-fast' class='route ui-state-default level-ok'><td><code>"
                + "fast</code></td><td>down/m, up/m</td><td>429, 5xx</td><td><span class='mf-status mf-ok'>routable"));
        assertTrue(routes, routes.contains("<span class='mf-status mf-error'>refused: alias &#39;m1&#39; would shadow "
                + "the model of up/m1</span>"));
    }

    @Test
    public void whatUsersTypedIsEscapedAndNeverTheKey() {
        CheckedForm form = ProviderForm.check(Map.of("id", "x'y", "name", "${appRoot}<script>", "baseUrl", "nope",
                "models", ""), id -> false);
        String html = page.render(List.of(row("a", "ready", false, false, 0)), new Page.View(form, true,
                CheckedForm.empty(), Page.Notice.error("<i>"), null, null, true, true));
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

    @Test
    public void withoutTheDoctorAndTheModelListServiceNeitherTestNorFetchIsOffered() {
        String html = page.render(List.of(row("a", "ready", false, false, 0)), Page.View.plain(false, false));
        assertFalse(html.contains("class='mf-action test'"));
        assertFalse(html.contains("class='mf-action fetch-models'"));
    }

    @Test
    public void addModelOffersTheProvidersAndEveryCapabilityAndShowsErrorsBesideTheirField() {
        CheckedForm form = ModelForm.check(Map.of("provider", "b", "id", "", "contextWindow", "big",
                "capabilities", new String[] { "vision", "tools" }));
        String html = page.render(List.of(row("a", "ready", false, false, 0), row("b", "ready", false, false, 0)),
                new Page.View(CheckedForm.empty(), false, form, null, null, null, true, true));
        assertTrue(html.contains("<option value='a'>a (&lt;b&gt;a&lt;/b&gt;)</option>"));
        assertTrue(html.contains("<option value='b' selected='selected'>"));
        for (String tag : new String[] { "chat", "vision", "tools", "reasoning", "json", "embedding", "web-search",
            "audio" }) {
            assertTrue(tag, html.contains("id='cap-" + tag + "'"));
        }
        assertTrue(html.contains("id='cap-vision' checked='checked'"));
        assertFalse(html.contains("id='cap-chat' checked='checked'"));
        assertTrue(html.contains("id='model-error-id'>id is missing"));
        assertTrue(html.contains("id='model-error-contextWindow'>contextWindow = &quot;big&quot; is not a number"));
        assertTrue("the model form's fields do not clash with Add Provider's", html.contains("id='model-id'")
                && html.contains("id='add-id'"));
    }

    @Test
    public void aTestReportShowsEachStepWithItsOutcomeCauseAndFix() {
        Diagnosis d = new Diagnosis("a", "m1", List.of(
                new DiagnosisStep(DiagnosisStep.BASE_URL, DiagnosisStep.Outcome.PASSED, 12, "answers", null, null, null),
                new DiagnosisStep(DiagnosisStep.KEY, DiagnosisStep.Outcome.FAILED, 30, null, "the key was refused",
                        "set the key again", Problem.AUTHENTICATION),
                new DiagnosisStep(DiagnosisStep.MODEL, DiagnosisStep.Outcome.SKIPPED, 0, null, null, null, null)), 42);
        String html = page.render(List.of(row("a", "ready", true, false, 0)), new Page.View(CheckedForm.empty(),
                false, CheckedForm.empty(), null, d, null, true, true));
        assertTrue(html.contains("<tr class='step mf-failed'><td class='step-name'>Key</td><td class='outcome'>failed"
                + "</td><td class='time'>30 ms</td><td class='detail'></td><td class='cause'>the key was refused</td>"
                + "<td class='fix'>set the key again</td></tr>"));
        assertTrue(html.contains("<td class='outcome'>skipped</td><td class='time'></td>"));
        assertTrue(html.contains("FAILED in 42 ms: Key \u2014 the key was refused"));
    }

    @Test
    public void fetchedModelsNotInTheListCanBeTickedThoseInItAreShownTicked() {
        RemoteModels r = new RemoteModels("a", List.of(new ModelInfo("m1", null, 0, 0, null),
                new ModelInfo("new-one", null, 8000, 0, null)), List.of("m1", "m2"), List.of("new-one"), List.of("m2"));
        String html = page.render(List.of(row("a", "ready", false, false, 0)), new Page.View(CheckedForm.empty(),
                false, CheckedForm.empty(), null, null, r, true, true));
        assertTrue(html.contains("value='m1' checked='checked' disabled='disabled'"));
        assertTrue(html.contains("<input type='checkbox' name='model' value='new-one'/>"));
        assertTrue(html.contains("class='mf-action add-models'"));
        assertTrue(html.contains("not served (renamed or retired?): m2"));
    }
}
