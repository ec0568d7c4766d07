package dev.moryflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.Array;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.Configuration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.moryflow.credentials.CredentialStore;

/**
 * "A key belongs to one provider id and one origin", tried through the real Felix Web Console 5: every change is made
 * with the requests the console's own script ({@code res/ui/config.js}) sends when a user clicks "+" on the
 * "OpenAI-compatible provider" factory (or opens a configuration), fills the dialog and clicks Save. The form is built
 * from the JSON the console itself answers ({@code GET configMgr/<pid>?post=true[&create=1]}), as the script does:
 * {@code apply=true}, {@code factoryPid}, {@code action=ajaxConfigManager}, {@code $location}, one field per
 * property (a password field holds {@code unmodified} until the user types over it), the {@code opt<prop>} boxes of
 * optional properties, and {@code propertylist} without the optional properties left unticked. Two fake upstreams
 * on two ports are two origins; each test proves which key each of them received, and that no key is ever in a
 * console page, a status page, an answer or a configuration.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ConsoleKeyOwnershipIT extends HubTestSupport {

    private static final String TOKEN = "mf-itest-console-ownership-token-0123456789";
    private static final String CONFIG_MGR = "/system/console/configMgr";
    /** The PID the console's "+" dialog carries until Save ({@code ConfigurationUtil.PLACEHOLDER_PID}). */
    private static final String PLACEHOLDER_PID = "__Temporary PID replaced by real PID upon save__";
    /** Properties config.js renames to {@code $<name>} so they do not clash with its own form fields. */
    private static final Set<String> CLASHING = Set.of("action", "propertylist", "apply", "delete");

    /** The Web Console password made for this framework (one framework for the class). */
    private static volatile String consolePassword;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    /** Every answer (console page, JSON, redirect, API, chat) this test received, scanned for keys at its end. */
    private final List<String> seen = new ArrayList<>();
    private FakeUpstream a;
    private FakeUpstream b;

    @org.ops4j.pax.exam.Configuration
    public Option[] config() throws Exception {
        int port = freePort();
        String work = newWorkDir("console-ownership");
        Path deploy = Path.of(work, "deploy");
        Files.createDirectories(deploy);
        return hub(work,
                deployFolder(deploy),
                gateway(port),
                webConsole());
    }

    @Before
    public void setUp() throws Exception {
        a = new FakeUpstream();
        b = new FakeUpstream();
        gatewayToken(TOKEN);
        awaitCondition("the API is not served", () -> api("GET", "/api/providers", null).statusCode() == 200);
        if (consolePassword == null) {
            consolePassword = newConsolePassword();
        }
    }

    @After
    public void tearDown() throws Exception {
        try (Stream<Path> files = Files.list(deploy())) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.delete(f);
            }
        }
        Configuration[] all = configAdmin.listConfigurations("(service.pid=moryflow.provider.*)");
        for (Configuration c : all == null ? new Configuration[0] : all) {
            c.delete();
        }
        awaitCondition("providers are still registered", () -> providerRefs(null) == null);
        a.close();
        b.close();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // the tests

    @Test
    public void aProviderMadeWithTheConsolesPlusKeepsItsIdAndKeyWhenRenamedInTheConsole() throws Exception {
        String k = key();
        HttpResponse<String> saved = consolePlus(new Edit().set("name", "Console Made").set("baseUrl", a.baseUrl())
                .set("apiKey", k).set("models", "m"));
        awaitProvider("console-made");
        if (saved.headers().firstValue("Location").isPresent()) {
            String generated = savedPid(saved);
            assertTrue("the console saved a configuration with a generated PID: " + generated,
                    generated.startsWith(OPENAI_FACTORY + ".") && generated.indexOf('~') < 0);
            awaitCondition("the generated configuration was not replaced by " + OPENAI_FACTORY + "~console-made",
                    () -> configAdmin.listConfigurations("(service.pid=" + generated + ")") == null);
        }
        awaitCondition("a configuration with a generated PID is left", () -> {
            Configuration[] all = configAdmin.listConfigurations("(service.factoryPid=" + OPENAI_FACTORY + ")");
            return all == null || java.util.Arrays.stream(all).allMatch(c -> c.getPid().indexOf('~') >= 0);
        });
        Configuration[] ofFactory = configAdmin.listConfigurations("(service.factoryPid=" + OPENAI_FACTORY + ")");
        assertEquals(1, ofFactory.length);
        assertEquals(OPENAI_FACTORY + "~console-made", ofFactory[0].getPid());
        assertEquals("Console Made", ofFactory[0].getProperties().get("name"));
        assertNoKeyInConfigAdmin(k);
        assertEquals(200, chat("console-made/m").statusCode());
        assertEquals("Bearer " + k, a.take().header("Authorization"));

        JsonNode form = consoleForm(OPENAI_FACTORY + "~console-made", false);
        assertEquals("the console shows the stored key as an unchanged password", "unmodified",
                form.path("properties").path("apiKey").path("value").asText());
        consoleSave(form, new Edit().set("name", "Renamed"));
        awaitCondition("the console's rename did not arrive", () -> "Renamed".equals(
                context.getService(awaitProvider("console-made")).info().name()));
        assertEquals("a rename keeps the id", 1, providerRefs("(provider.id=console-made)").length);
        assertNull("a rename makes no new provider", providerRefs("(provider.id=renamed)"));
        assertNull(configAdmin.listConfigurations("(service.pid=" + OPENAI_FACTORY + "~renamed)"));
        assertNoKeyInConfigAdmin(k);
        assertEquals(200, chat("console-made/m").statusCode());
        assertEquals("the key survives a console Save that left the password field alone", "Bearer " + k,
                a.take().header("Authorization"));
        assertTrue("the other origin got something: " + b.all(), b.all().isEmpty());
        assertNoKeySeen(k);
    }

    @Test
    public void aDuplicateIdMadeWithTheConsolesPlusIsRefusedAndNeverTakesTheOwnersKey() throws Exception {
        String k1 = key();
        String k2 = key();
        write("moryflow.provider.openai-dup.cfg", "name = dup", "baseUrl = " + a.baseUrl(), "apiKey = " + k1,
                "models = m");
        awaitProvider("dup");
        awaitKeyStored("dup");

        HttpResponse<String> saved = consolePlus(new Edit().set("id", "dup").set("name", "Intruder")
                .set("baseUrl", b.baseUrl()).set("apiKey", k2).set("models", "m"));
        String second = savedPid(saved);
        awaitCondition("the refused configuration still holds its key", () -> {
            Configuration[] c = configAdmin.listConfigurations("(service.pid=" + second + ")");
            return c != null && c[0].getProperties() != null && c[0].getProperties().get("apiKey") == null;
        });
        awaitCondition("/api/providers does not list the second configuration as refused", () -> {
            String listed = api("GET", "/api/providers", null).body();
            return listed.contains(second) && listed.contains("refused");
        });
        assertEquals("dup", configAdmin.listConfigurations("(service.pid=" + second + ")")[0].getProperties()
                .get("id"));

        HttpResponse<String> r = chat("dup/m");
        assertEquals(r.body(), 200, r.statusCode());
        assertEquals("Bearer " + k1, a.take().header("Authorization"));
        assertTrue("the refused configuration's upstream got something: " + b.all(), b.all().isEmpty());
        assertEquals("a second configuration of one id is never a provider", 1,
                providerRefs("(provider.id=dup)").length);
        assertEquals(a.baseUrl(), context.getService(awaitProvider("dup")).info().baseUrl());
        assertNoKeyInConfigAdmin(k1, k2);
        assertNoKeySeen(k1, k2);
    }

    @Test
    public void aBaseUrlMovedInTheConsoleHoldsTheKeyUntilTheUserConfirms() throws Exception {
        String k = key();
        consolePlus(new Edit().set("id", "mover").set("name", "Mover").set("baseUrl", a.baseUrl()).set("apiKey", k)
                .set("models", "m"));
        awaitProvider("mover");
        awaitKeyStored("mover");
        assertEquals(200, chat("mover/m").statusCode());
        assertEquals("Bearer " + k, a.take().header("Authorization"));

        consoleSave(consoleForm(OPENAI_FACTORY + "~mover", false), new Edit().set("baseUrl", b.baseUrl()));
        awaitCondition("the status does not say the key is held", () -> api("GET", "/api/providers/mover", null)
                .body().contains("key held: base URL moved from " + a.origin() + " to " + b.origin()));
        HttpResponse<String> refused = chat("mover/m");
        assertEquals(refused.body(), 503, refused.statusCode());
        assertTrue(refused.body(), refused.body().contains("held"));
        assertTrue("the moved-to host got a request before the user confirmed: " + b.all(), b.all().isEmpty());
        assertNoKeyInConfigAdmin(k);

        HttpResponse<String> confirmed = api("POST", "/api/providers/mover/key/confirm", null);
        assertEquals(confirmed.body(), 200, confirmed.statusCode());
        HttpResponse<String> r = chat("mover/m");
        assertEquals(r.body(), 200, r.statusCode());
        assertEquals("Bearer " + k, b.take().header("Authorization"));
        assertNoKeySeen(k);
    }

    @Test
    public void aConsoleSaveOfAProviderFromADeployFileIsWrittenBackToTheFileWithoutTheKey() throws Exception {
        String k = key();
        Path file = deploy().resolve("moryflow.provider.openai-filed.cfg");
        write(file.getFileName().toString(), "name = From File", "baseUrl = " + a.baseUrl(), "apiKey = " + k,
                "models = m");
        awaitProvider("filed");
        awaitKeyStored("filed");
        awaitCondition("the key stayed in the deploy file", () -> !Files.readString(file).contains(k));

        // Web Console 5.0.18 lists felix.fileinstall.filename in the form's additionalProperties, so its Save keeps
        // it (a Save without it is tied to the file again by the credentials bundle): written back either way
        consoleSave(consoleForm(OPENAI_FACTORY + "~filed", false), new Edit().set("name", "File Renamed"));
        awaitCondition("the console's rename was not written back to " + file,
                () -> "File Renamed".equals(fileValue(file, "name")));
        String text = Files.readString(file);
        assertFalse(text, text.contains(k));
        assertFalse(text, Pattern.compile("(?mi)^apiKey\\s*=").matcher(text).find());
        assertEquals(a.baseUrl(), fileValue(file, "baseUrl"));
        Configuration c = configAdmin.listConfigurations("(service.pid=" + OPENAI_FACTORY + "~filed)")[0];
        assertNotNull("the configuration is still tied to its file",
                c.getProperties().get("felix.fileinstall.filename"));
        awaitCondition("the console's rename did not reach the provider", () -> "File Renamed".equals(
                context.getService(awaitProvider("filed")).info().name()));
        assertEquals(1, providerRefs("(provider.id=filed)").length);
        assertEquals(200, chat("filed/m").statusCode());
        assertEquals("Bearer " + k, a.take().header("Authorization"));
        assertNoKeyInConfigAdmin(k);
        assertNoKeySeen(k);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // the Web Console, as its script drives it

    /** What the user does in the edit dialog before Save: fields typed over (ticking an optional field's box). */
    private static final class Edit {
        final Map<String, List<String>> typed = new LinkedHashMap<>();

        Edit set(String property, String... values) {
            typed.put(property, List.of(values));
            return this;
        }
    }

    /** The user clicks "+" on the factory, fills the dialog and clicks Save. */
    private HttpResponse<String> consolePlus(Edit edit) throws Exception {
        JsonNode form = consoleForm(OPENAI_FACTORY, true);
        assertEquals(PLACEHOLDER_PID, form.path("pid").asText());
        assertEquals(OPENAI_FACTORY, form.path("factoryPid").asText());
        return consoleSave(form, edit);
    }

    /**
     * The JSON config.js draws its dialog from: {@code configure(pid, create)} loads the list page, then
     * {@code GET configMgr/<pid>?post=true[&create=1&]ts=...}.
     */
    private JsonNode consoleForm(String pid, boolean create) throws Exception {
        HttpResponse<String> page = console(HttpRequest.newBuilder(uri(CONFIG_MGR)).GET());
        assertEquals(page.body(), 200, page.statusCode());
        HttpResponse<String> r = console(HttpRequest.newBuilder(uri(CONFIG_MGR + "/" + path(pid) + "?post=true&"
                + (create ? "create=1&" : "") + "ts=" + System.currentTimeMillis() % 1000)).GET());
        assertEquals(r.body(), 200, r.statusCode());
        JsonNode form = json.readTree(r.body());
        assertTrue("the console has no form for " + pid + ": " + r.body(),
                form.path("properties").has("apiKey") && form.path("properties").has("baseUrl"));
        assertEquals("the API key is a password field", 12, form.path("properties").path("apiKey").path("type")
                .asInt());
        return form;
    }

    /**
     * Save, as config.js's dialog button does: the form serialized in its DOM order, posted by {@code $.ajax} to
     * {@code configMgr/<__pid>}; the script then follows the redirect and loads the list again.
     *
     * @return the answer to the post (a redirect to the saved configuration)
     */
    private HttpResponse<String> consoleSave(JsonNode form, Edit edit) throws Exception {
        List<String[]> fields = new ArrayList<>();
        fields.add(new String[] { "apply", "true" });
        if (form.hasNonNull("factoryPid")) {
            fields.add(new String[] { "factoryPid", form.get("factoryPid").asText() });
        }
        if (form.hasNonNull("pidFilter")) {
            fields.add(new String[] { "pidFilter", form.get("pidFilter").asText() });
        }
        fields.add(new String[] { "action", "ajaxConfigManager" });
        // #lochidden: the binding shown in the dialog, or "" when it shows "unbound"
        String location = form.path("bundle_location").isTextual() ? form.get("bundle_location").asText() : "";
        fields.add(new String[] { "$location", location });
        List<String> propertyList = new ArrayList<>();
        if (form.hasNonNull("additionalProperties")) {
            propertyList.addAll(List.of(form.get("additionalProperties").asText().split(",")));
        }
        Set<String> unticked = new HashSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = form.path("properties").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            String prop = e.getKey();
            JsonNode attr = e.getValue();
            List<String> typed = edit.typed.get(prop);
            boolean ticked = attr.path("is_set").asBoolean() || typed != null;
            if (attr.path("optional").asBoolean()) {
                if (ticked) {
                    fields.add(new String[] { "opt" + prop, "on" });
                } else {
                    unticked.add(prop);
                }
            }
            JsonNode type = attr.path("type");
            if (attr.has("value")) {
                String name = CLASHING.contains(prop) ? "$" + prop : prop;
                String value = typed != null ? typed.get(0) : attr.get("value").asText();
                if (type.isObject()) { // a select: the matching option, else the first
                    List<String> options = new ArrayList<>();
                    type.path("values").forEach(v -> options.add(v.asText()));
                    fields.add(new String[] { name, options.contains(value) ? value : options.get(0) });
                } else if (type.asInt() == 11) { // a checkbox "true" and a hidden "false"
                    if ("true".equalsIgnoreCase(value)) {
                        fields.add(new String[] { name, "true" });
                    }
                    fields.add(new String[] { name, "false" });
                } else { // a textarea, or a password input holding "unmodified"
                    fields.add(new String[] { name, value });
                }
            } else if (type.isObject()) { // a multi-select of checkboxes
                Set<String> chosen = new HashSet<>();
                attr.path("values").forEach(v -> chosen.add(v.asText()));
                if (typed != null) {
                    chosen.clear();
                    chosen.addAll(typed);
                }
                type.path("values").forEach(v -> {
                    if (chosen.contains(v.asText())) {
                        fields.add(new String[] { prop, v.asText() });
                    }
                });
            } else { // a list: one input per entry ("+" adds an empty one)
                List<String> values = new ArrayList<>();
                attr.path("values").forEach(v -> values.add(v.asText()));
                for (String v : typed != null ? typed : values) {
                    fields.add(new String[] { prop, v });
                }
            }
            propertyList.add(prop);
        }
        // Save: "removes the properties, that are unchecked"
        propertyList.removeAll(unticked);
        fields.add(new String[] { "propertylist", String.join(",", propertyList) });
        String body = fields.stream().map(f -> form(f[0]) + "=" + form(f[1])).collect(Collectors.joining("&"));

        HttpResponse<String> r = console(HttpRequest.newBuilder(uri(CONFIG_MGR + "/" + path(form.get("pid")
                .asText()))).header("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
                .header("X-Requested-With", "XMLHttpRequest").header("Origin", base())
                .header("Referer", base() + CONFIG_MGR).POST(HttpRequest.BodyPublishers.ofString(body)));
        if (r.statusCode() == 500 && PLACEHOLDER_PID.equals(form.path("pid").asText())) {
            // a known race of "+" only (README design notes): the credentials bundle replaced the new configuration
            // by its named one while the console was still reading it back for its answer (Jetty's page then says
            // only "Server Error"); the save itself took effect, which the callers check
            System.out.println("NOTE the Web Console answered 500 to a save whose configuration was already replaced");
            return r;
        }
        assertEquals(r.statusCode() + " " + r.body(), 302, r.statusCode());
        String to = r.headers().firstValue("Location").orElseThrow();
        console(HttpRequest.newBuilder(URI.create(base()).resolve(to)).GET());
        console(HttpRequest.newBuilder(uri(CONFIG_MGR)).GET());
        return r;
    }

    /** @return the PID a Save answered with (its redirect goes to {@code configMgr/<pid>}) */
    private static String savedPid(HttpResponse<String> saved) {
        String to = saved.headers().firstValue("Location").orElseThrow();
        return java.net.URLDecoder.decode(to.substring(to.lastIndexOf('/') + 1), StandardCharsets.UTF_8);
    }

    /** A console request with Basic auth; its answer is kept for the scan. */
    private HttpResponse<String> console(HttpRequest.Builder request) throws Exception {
        HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(10))
                .header("Authorization", basic(consolePassword)).build(), HttpResponse.BodyHandlers.ofString());
        keep(r);
        return r;
    }

    private static String basic(String password) {
        return "Basic " + Base64.getEncoder().encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Has a new console password made (remove the password property, as the README says) and reads the line the
     * component prints to standard output; see AdminSurfaceGuardIT.
     */
    private String newConsolePassword() throws Exception {
        String password = printedConsolePassword();
        awaitCondition("the Web Console does not accept the new password", () -> http.send(HttpRequest
                .newBuilder(uri("/system/console/bundles.json")).timeout(Duration.ofSeconds(10))
                .header("Authorization", basic(password)).GET().build(), HttpResponse.BodyHandlers.discarding())
                .statusCode() == 200);
        return password;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // keys, upstreams, the API, the scan

    /** A key of letters and digits only, so that every encoding of it contains it as it is. */
    private static String key() {
        return "sk-" + UUID.randomUUID().toString().replace("-", "");
    }

    private CredentialStore store() throws Exception {
        return context.getService(awaitService(CredentialStore.class, ""));
    }

    private Path deploy() {
        return Path.of(context.getProperty("felix.fileinstall.dir"));
    }

    private void write(String file, String... lines) throws Exception {
        Path tmp = deploy().resolve(file + ".tmp");
        Files.write(tmp, String.join("\n", lines).concat("\n").getBytes(StandardCharsets.UTF_8));
        Files.move(tmp, deploy().resolve(file));
    }

    /**
     * A value of a deploy file as FileInstall wrote it: {@code key = value} while every value is text, typed
     * ({@code key = "value"}, {@code B"true"}) once a configuration holds other types, as a console Save makes it.
     */
    private static String fileValue(Path file, String key) throws Exception {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(key) + "\\s*=\\s*(.*?)\\s*$")
                .matcher(Files.readString(file));
        if (!m.find()) {
            return null;
        }
        String v = m.group(1);
        return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
    }

    private String base() {
        return "http://127.0.0.1:" + context.getProperty("org.osgi.service.http.port");
    }

    private URI uri(String pathAndQuery) {
        return URI.create(base() + pathAndQuery);
    }

    /** A path segment as a browser sends it (a space is %20). */
    private static String path(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A form value as jQuery's serialize() sends it. */
    private static String form(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private HttpResponse<String> api(String method, String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        keep(r);
        return r;
    }

    private HttpResponse<String> chat(String model) throws Exception {
        return api("POST", "/v1/chat/completions", "{\"model\":\"" + model
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    }

    private void keep(HttpResponse<String> r) {
        synchronized (seen) {
            seen.add(r.request().method() + " " + r.uri() + " -> " + r.statusCode() + " " + r.headers().map() + "\n"
                    + r.body());
        }
    }

    /** No configuration of any PID holds an API key, or any of these keys in any property. */
    private void assertNoKeyInConfigAdmin(String... keys) throws Exception {
        Configuration[] all = configAdmin.listConfigurations(null);
        for (Configuration c : all == null ? new Configuration[0] : all) {
            Dictionary<String, Object> p = c.getProperties();
            if (p == null) {
                continue;
            }
            for (Enumeration<String> e = p.keys(); e.hasMoreElements();) {
                String name = e.nextElement();
                assertFalse(c.getPid() + " holds an apiKey", name.equalsIgnoreCase("apiKey"));
                String value = text(p.get(name));
                for (String k : keys) {
                    assertFalse(c.getPid() + " holds a key in " + name, value.contains(k));
                }
            }
        }
    }

    private static String text(Object value) {
        if (value != null && value.getClass().isArray()) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < Array.getLength(value); i++) {
                sb.append(Array.get(value, i)).append('\n');
            }
            return sb.toString();
        }
        return String.valueOf(value);
    }

    /**
     * Loads every configuration's console form ({@code configMgr/*.json}), the list page and the status pages, and
     * finds none of the keys in them nor in any answer this test received.
     */
    private void assertNoKeySeen(String... keys) throws Exception {
        assertEquals(200, console(HttpRequest.newBuilder(uri(CONFIG_MGR + "/*.json")).GET()).statusCode());
        assertEquals(200, console(HttpRequest.newBuilder(uri(CONFIG_MGR)).GET()).statusCode());
        for (String status : new String[] { "/system/console/status-Configurations.txt",
            "/system/console/status-scr.txt" }) {
            HttpResponse<String> r = console(HttpRequest.newBuilder(uri(status)).GET());
            System.out.println("ConsoleKeyOwnershipIT: " + status + " -> " + r.statusCode() + ", "
                    + r.body().length() + " characters");
        }
        List<String> all;
        synchronized (seen) {
            all = new ArrayList<>(seen);
        }
        assertTrue("the console pages were not read", all.stream().anyMatch(s -> s.contains("\"properties\"")));
        for (String answer : all) {
            for (String k : keys) {
                assertFalse("a key is in an answer: " + answer, answer.contains(k)
                        || answer.contains(k.substring(3)));
            }
        }
    }
}
