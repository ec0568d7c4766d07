package dev.moryflow.gateway.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.Test;

public class GuardRulesTest {

    private static final int PORT = 8080;

    private final GuardRules local = new GuardRules("127.0.0.1", List.of("hub.example.lan"), Set::of,
            List.of("http://localhost:3000"));

    private static GuardRules.Request get(String host) {
        return new GuardRules.Request("GET", "/api/providers", "http", PORT, "127.0.0.1", host, null, null);
    }

    private static GuardRules.Request post(String path, String origin, String referer) {
        return new GuardRules.Request("POST", path, "http", PORT, "127.0.0.1", "127.0.0.1:" + PORT, origin,
                referer);
    }

    @Test
    public void loopbackNamesAndAddressesAreAllowedHosts() {
        for (String host : new String[] { "localhost", "localhost:8080", "LOCALHOST.", "app.localhost:8080",
                "127.0.0.1", "127.0.0.1:8080", "127.1.2.3:9", "[::1]", "[::1]:8080", "[0:0:0:0:0:0:0:1]:8080" }) {
            assertTrue(host, local.check(get(host)).allowed());
        }
    }

    @Test
    public void aForeignHostIsRefusedNamingTheHostAndTheFix() {
        GuardRules.Verdict v = local.check(get("evil.example:8080"));
        assertFalse(v.allowed());
        assertEquals("host_not_allowed", v.code());
        assertTrue(v.message(), v.message().contains("'evil.example:8080'"));
        assertTrue(v.message(), v.message().contains("allowedHosts property of configuration moryflow.gateway"));
    }

    @Test
    public void hostsThatOnlyLookLikeLoopbackAreRefused() {
        for (String host : new String[] { "localhost.evil.example", "127.0.0.1.evil.example", "127.0.0.1:80x",
                "999.0.0.1", "[::2]", "[::1", "0.0.0.0:8080", "", ":8080", "evil.example@127.0.0.1" }) {
            assertFalse(host, local.check(get(host)).allowed());
        }
    }

    @Test
    public void aMissingHostHeaderIsAllowed() {
        assertTrue(local.check(get(null)).allowed());
    }

    @Test
    public void allowedHostsAndTheBoundHostAreAllowed() {
        assertTrue(local.check(get("HUB.example.lan:8080")).allowed());
        GuardRules bound = new GuardRules("192.168.7.7", List.of(), Set::of, List.of());
        assertTrue(bound.check(get("192.168.7.7:8080")).allowed());
        assertFalse(bound.check(get("192.168.7.8:8080")).allowed());
    }

    @Test
    public void allowedHostsFromACfgFileMayListSeveralInOneText() {
        GuardRules cfg = new GuardRules("127.0.0.1", List.of("a.example.lan, b.example.lan 10.0.0.9"), Set::of,
                List.of());
        assertTrue(cfg.check(get("a.example.lan")).allowed());
        assertTrue(cfg.check(get("b.example.lan:8080")).allowed());
        assertTrue(cfg.check(get("10.0.0.9:8080")).allowed());
        assertFalse(cfg.check(get("c.example.lan")).allowed());
    }

    @Test
    public void theAddressTheRequestCameInOnIsAllowedAsAnIpLiteral() {
        GuardRules.Request r = new GuardRules.Request("GET", "/", "http", PORT, "10.1.2.3", "10.1.2.3:8080", null,
                null);
        assertTrue(local.check(r).allowed());
    }

    @Test
    public void boundToAllInterfacesTheMachinesOwnNamesAreAllowedAndAskedOnlyThen() {
        AtomicInteger asked = new AtomicInteger();
        GuardRules any = new GuardRules("0.0.0.0", List.of(), () -> {
            asked.incrementAndGet();
            return Set.of("myhost", "192.168.1.20", "fe80:0:0:0:1:2:3:4");
        }, List.of());
        assertTrue(any.check(get("myhost:8080")).allowed());
        assertTrue(any.check(get("192.168.1.20")).allowed());
        assertTrue(any.check(get("[fe80::1:2:3:4]:8080")).allowed());
        assertFalse(any.check(get("evil.example")).allowed());
        assertTrue(asked.get() > 0);
        asked.set(0);
        GuardRules one = new GuardRules("127.0.0.1", List.of(), () -> {
            asked.incrementAndGet();
            return Set.of("myhost");
        }, List.of());
        assertFalse(one.check(get("myhost")).allowed());
        assertEquals(0, asked.get());
        assertTrue(new GuardRules("", List.of(), () -> Set.of("myhost"), List.of()).check(get("myhost")).allowed());
        assertTrue(new GuardRules("::", List.of(), () -> Set.of("myhost"), List.of()).check(get("myhost")).allowed());
    }

    @Test
    public void safeMethodsPassWhateverTheirOrigin() {
        for (String m : new String[] { "GET", "HEAD", "OPTIONS", "TRACE" }) {
            assertTrue(m, local.check(new GuardRules.Request(m, "/system/console", "http", PORT, "127.0.0.1",
                    "127.0.0.1:8080", "http://evil.example", null)).allowed());
        }
    }

    @Test
    public void aStateChangingRequestFromTheHubsOwnOriginPasses() {
        assertTrue(local.check(post("/system/console/configMgr/x", "http://127.0.0.1:8080", null)).allowed());
        assertTrue(local.check(post("/api/providers", "http://localhost:8080", null)).allowed());
        assertTrue(local.check(post("/api/providers", "http://hub.example.lan:8080", null)).allowed());
        assertTrue(local.check(post("/system/console/x", null, "http://127.0.0.1:8080/system/console/configMgr"))
                .allowed());
    }

    @Test
    public void aForeignOriginIsRefusedNamingItAndTheHubsOwn() {
        GuardRules.Verdict v = local.check(post("/system/console/configMgr/x", "http://evil.example", null));
        assertFalse(v.allowed());
        assertEquals("cross_origin_refused", v.code());
        assertTrue(v.message(), v.message().contains("POST to /system/console/configMgr/x"));
        assertTrue(v.message(), v.message().contains("http://evil.example"));
        assertTrue(v.message(), v.message().contains("http://127.0.0.1:8080"));
        assertTrue(v.message(), v.message().contains("Nothing was changed"));
    }

    @Test
    public void theHubsHostOnAnotherPortOrSchemeIsAnotherOrigin() {
        assertFalse(local.check(post("/api/providers", "http://127.0.0.1:3000", null)).allowed());
        assertFalse(local.check(post("/api/providers", "https://127.0.0.1:8080", null)).allowed());
        assertFalse(local.check(post("/api/providers", "http://127.0.0.1", null)).allowed());
    }

    @Test
    public void originNullIsRefused() {
        GuardRules.Verdict v = local.check(post("/api/providers", "null", null));
        assertFalse(v.allowed());
        assertTrue(v.message(), v.message().contains("'null'"));
    }

    @Test
    public void withoutOriginAForeignRefererIsRefused() {
        GuardRules.Verdict v = local.check(post("/api/providers", null, "http://evil.example/page?secret=1"));
        assertFalse(v.allowed());
        assertEquals("cross_origin_refused", v.code());
        assertTrue(v.message(), v.message().contains("http://evil.example"));
        assertFalse("the referer's path and query stay out of the message", v.message().contains("secret"));
        assertFalse(local.check(post("/api/providers", null, "not a url")).allowed());
    }

    @Test
    public void theOriginDecidesWhenBothAreSent() {
        assertFalse(local.check(post("/api/providers", "http://evil.example", "http://127.0.0.1:8080/")).allowed());
    }

    @Test
    public void withNeitherOriginNorRefererTheRequestIsNotCrossSite() {
        assertTrue(local.check(post("/api/providers", null, null)).allowed());
    }

    @Test
    public void aCorsOriginMayPostUnderV1Only() {
        assertTrue(local.check(post("/v1/chat/completions", "http://localhost:3000", null)).allowed());
        assertTrue(local.check(post("/v1/chat/completions", null, "http://localhost:3000/app")).allowed());
        GuardRules.Verdict api = local.check(post("/api/providers", "http://localhost:3000", null));
        assertFalse(api.allowed());
        assertFalse(local.check(post("/system/console/bundles", "http://localhost:3000", null)).allowed());
        assertFalse("no way out of /v1 by dot segments",
                local.check(post("/v1/../system/console/bundles", "http://localhost:3000", null)).allowed());
        assertFalse(local.check(post("/v1/%2e%2e/system/console", "http://localhost:3000", null)).allowed());
        assertFalse(local.check(post("/v1x", "http://localhost:3000", null)).allowed());
    }

    @Test
    public void messagesShowHeaderValuesPrintableAndShort() {
        StringBuilder longHost = new StringBuilder("evil");
        for (int i = 0; i < 300; i++) {
            longHost.append('x');
        }
        GuardRules.Verdict v = local.check(get(longHost + "\r\nX-Injected: 1"));
        assertFalse(v.allowed());
        assertFalse(v.message(), v.message().contains("\n"));
        assertTrue(v.message(), v.message().contains("..."));
        assertTrue(v.refused().length() <= 123);
    }

    private static GuardRules.Request consoleGet(String query, String referer, String fetchSite) {
        return new GuardRules.Request("GET", "/system/console/configMgr/moryflow.provider.openai~probe", "http", PORT,
                "127.0.0.1", "127.0.0.1:" + PORT, null, referer, query, fetchSite);
    }

    @Test
    public void aConsoleGetThatTheConsoleTreatsAsAFormPostIsCheckedLikeAPost() {
        String change = "post=true&apply=update&propertylist=name&name=Hijacked";
        assertFalse(local.check(consoleGet(change, "http://evil.example/x.html", null)).allowed());
        assertFalse("an img with no-referrer still says where it comes from",
                local.check(consoleGet(change, null, "cross-site")).allowed());
        assertTrue("the console's own page", local.check(consoleGet(change, "http://127.0.0.1:" + PORT
                + "/system/console/configMgr", "same-origin")).allowed());
        assertTrue("reading a page changes nothing", local.check(consoleGet("ts=1", "http://evil.example/",
                "cross-site")).allowed());
        assertTrue(GuardRules.changesState(consoleGet("POST=1", null, null)));
        assertFalse(GuardRules.changesState(new GuardRules.Request("GET", "/api/providers", "http", PORT,
                "127.0.0.1", "127.0.0.1:" + PORT, null, null, "post=true", null)));
    }

    @Test
    public void aPostTheBrowserMarksCrossSiteIsRefusedEvenWithoutOriginOrReferer() {
        GuardRules.Request r = new GuardRules.Request("POST", "/api/providers", "http", PORT, "127.0.0.1",
                "127.0.0.1:" + PORT, null, null, null, "cross-site");
        GuardRules.Verdict v = local.check(r);
        assertFalse(v.allowed());
        assertTrue(v.message(), v.message().contains("Sec-Fetch-Site: cross-site"));
        assertTrue(local.check(new GuardRules.Request("POST", "/api/providers", "http", PORT, "127.0.0.1",
                "127.0.0.1:" + PORT, null, null, null, "same-origin")).allowed());
    }
}
