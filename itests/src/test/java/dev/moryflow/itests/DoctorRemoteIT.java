package dev.moryflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ServerSocket;
import java.util.List;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.Configuration;
import org.osgi.service.event.Event;

import dev.moryflow.events.Topics;
import dev.moryflow.http.HttpClients;
import dev.moryflow.itests.FakeUpstream.Reply;
import dev.moryflow.provider.Diagnosis;
import dev.moryflow.provider.DiagnosisStep;
import dev.moryflow.provider.DiagnosisStep.Outcome;
import dev.moryflow.provider.Problem;

/**
 * The doctor against "remote" providers ({@code http://api.remote.test/v1}, a reserved name): the hub's proxy
 * setting points at the fake upstream, which answers as the provider. So keys are needed (the host is not this
 * machine), plain HTTP is a remote host, and the fake can reject keys, forbid, restrict regions and hide models.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DoctorRemoteIT extends DoctorTestSupport {

    private static final String REMOTE = "http://api.remote.test/v1";
    private static final String KEY = "sk-doctor-remote-0123456789abcdef";

    private FakeUpstream upstream;

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return hub(newWorkDir("doctor-remote"), reactorBundle("doctor"));
    }

    @Before
    public void start() throws Exception {
        upstream = new FakeUpstream();
        useProxy(upstream.origin().replace("http://", ""));
    }

    @After
    public void stop() throws Exception {
        deleteProviders();
        upstream.close();
        // the proxy setting stays: the next test points it at its own upstream
    }

    private void useProxy(String hostPort) throws Exception {
        Configuration c = configAdmin.getConfiguration(HttpClients.PID, "?");
        c.update(props("proxy", "http://" + hostPort));
        int port = Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
        awaitCondition("the proxy setting was not applied", () -> {
            HttpClients http = currentHttp();
            Proxy p = http == null ? null : http.client().proxy();
            return p != null && p.address() instanceof InetSocketAddress
                    && ((InetSocketAddress) p.address()).getPort() == port;
        });
    }

    /** A provider at the "remote" host, which the user allowed plain HTTP to (allowInsecure = true). */
    private void remote(String id, Object... more) throws Exception {
        Object[] kv = new Object[6 + more.length];
        kv[0] = "baseUrl";
        kv[1] = REMOTE;
        kv[2] = "models";
        kv[3] = new String[] { "remote-a" };
        kv[4] = "allowInsecure";
        kv[5] = "true";
        System.arraycopy(more, 0, kv, 6, more.length);
        provider(id, kv);
        awaitProvider(id);
    }

    private static boolean authorized(FakeUpstream.Received r) {
        return ("Bearer " + KEY).equals(r.header("authorization"));
    }

    @Test
    public void plainHttpToARemoteHostIsRefusedBeforeAnythingIsSentUnlessAllowed() throws Exception {
        provider("lan", "baseUrl", REMOTE, "models", new String[] { "remote-a" }, "apiKey", KEY);
        awaitProvider("lan");
        awaitKeyStored("lan");
        upstream.clear();
        assertEquals(dev.moryflow.provider.Transport.INSECURE_REFUSED,
                context.getService(awaitProvider("lan")).info().transport());
        Diagnosis d = diagnose("lan", null);
        assertStep(d, DiagnosisStep.BASE_URL, Outcome.FAILED, "plain http:// to another machine is refused",
                "allowInsecure = true");
        assertStep(d, DiagnosisStep.SECURITY, Outcome.WARNING, "would travel unencrypted", "https://");
        try {
            chatService().chat(dev.moryflow.provider.ChatRequest.of("lan/remote-a", "hi"));
            org.junit.Assert.fail("a chat went out over plain http");
        } catch (dev.moryflow.provider.ProviderException e) {
            assertEquals(Problem.NOT_READY, e.problem());
            assertTrue(e.getMessage(), !e.getMessage().contains(KEY));
        }
        assertTrue("the refused provider sent something: " + upstream.all(), upstream.all().isEmpty());

        Configuration c = configAdmin.getFactoryConfiguration(OPENAI_FACTORY, "lan", "?");
        java.util.Dictionary<String, Object> p = c.getProperties();
        p.put("allowInsecure", "true");
        c.update(p);
        awaitCondition("allowInsecure not applied", () -> context.getService(awaitProvider("lan")).info()
                .transport() == dev.moryflow.provider.Transport.INSECURE_ALLOWED);
        assertEquals("Hello from remote-a",
                chatService().chat(dev.moryflow.provider.ChatRequest.of("lan/remote-a", "hi")).content());
        assertTrue(authorized(upstream.take()));
        c.delete();
    }

    @Test
    public void missingKeyAndPlainHttpToARemoteHost() throws Exception {
        remote("nokey");
        try (EventRecorder events = new EventRecorder()) {
            Diagnosis d = diagnose("nokey", null);
            assertStep(d, DiagnosisStep.CONNECTION, Outcome.PASSED, null, null);
            assertStep(d, DiagnosisStep.KEY, Outcome.FAILED, "needs an API key and has none",
                    "apiKey = <your key>");
            assertStep(d, DiagnosisStep.SECURITY, Outcome.WARNING, "plain HTTP to the remote host api.remote.test",
                    "https://");
            Event e = events.await(Topics.PROVIDER_TESTED, "nokey");
            assertEquals(Boolean.FALSE, e.getProperty("ok"));
            assertEquals(Problem.NOT_READY.name(), e.getProperty("problem"));
        }
    }

    @Test
    public void rejectedKeyIsNamedAndNeverShown() throws Exception {
        upstream.script(r -> Reply.json(401, "{\"error\":{\"message\":\"Incorrect API key provided: " + KEY
                + "\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}"));
        remote("badkey", "apiKey", KEY);
        awaitKeyStored("badkey");
        Diagnosis d = diagnose("badkey", null);
        assertStep(d, DiagnosisStep.KEY, Outcome.FAILED, "the key was rejected", "create a new one");
        assertEquals(Problem.AUTHENTICATION, d.problem());
        for (DiagnosisStep s : d.steps()) {
            assertFalse("the key appears in the report: " + s, s.toString().contains(KEY)
                    || String.valueOf(s.detail()).contains(KEY));
        }
    }

    @Test
    public void forbiddenKeyIsToldApartFromRegion() throws Exception {
        upstream.script(r -> authorized(r) ? Reply.json(403, "{\"error\":{\"message\":\"You have insufficient "
                + "permissions for this operation. Missing scopes: api.read\",\"type\":\"invalid_request_error\","
                + "\"code\":\"insufficient_permissions\"}}")
                : Reply.json(401, "{\"error\":{\"message\":\"no key\"}}"));
        remote("forbidden", "apiKey", KEY);
        awaitKeyStored("forbidden");
        DiagnosisStep s = assertStep(diagnose("forbidden", null), DiagnosisStep.KEY, Outcome.FAILED,
                "forbidden: the key is valid but not allowed", "permissions");
        assertFalse(s.cause(), s.cause().contains("regional"));
    }

    @Test
    public void regionalRestriction403() throws Exception {
        upstream.script(r -> Reply.json(403, "{\"error\":{\"code\":\"unsupported_country_region_territory\","
                + "\"message\":\"Country, region, or territory not supported\",\"type\":\"request_forbidden\"}}"));
        remote("region", "apiKey", KEY);
        awaitKeyStored("region");
        assertStep(diagnose("region", null), DiagnosisStep.KEY, Outcome.FAILED,
                "regional restriction", "region it supports");
    }

    @Test
    public void regionalRestriction451() throws Exception {
        upstream.script(r -> Reply.json(451, "{\"error\":{\"message\":\"Unavailable For Legal Reasons\"}}"));
        remote("region451", "apiKey", KEY);
        awaitKeyStored("region451");
        assertStep(diagnose("region451", null), DiagnosisStep.KEY, Outcome.FAILED,
                "regional restriction", "region it supports");
    }

    @Test
    public void modelNotAvailableToThisAccount() throws Exception {
        upstream.script(r -> r.path.endsWith("/chat/completions")
                ? Reply.json(403, "{\"error\":{\"message\":\"The model `remote-b` is not available to your "
                        + "organization\",\"type\":\"invalid_request_error\",\"code\":\"model_not_available\"}}")
                : FakeUpstream.defaultReply(r));
        remote("premium", "apiKey", KEY, "models", new String[] { "remote-b" });
        awaitKeyStored("premium");
        Diagnosis d = diagnose("premium", null);
        assertStep(d, DiagnosisStep.KEY, Outcome.PASSED, null, null);
        assertStep(d, DiagnosisStep.MODEL, Outcome.FAILED, "model remote-b is not available to this account",
                "Request access to the model");
    }

    @Test
    public void remoteProviderWithKeyWorks() throws Exception {
        remote("fine", "apiKey", KEY);
        awaitKeyStored("fine");
        Diagnosis d = diagnose("fine", null);
        assertTrue(d.steps().toString(), d.ok());
        assertStep(d, DiagnosisStep.KEY, Outcome.PASSED, null, null);
        String detail = d.step(DiagnosisStep.SECURITY).get().detail();
        assertTrue(detail, detail.contains("key 0 days old"));
        for (FakeUpstream.Received r : upstream.all()) {
            if (r.path.endsWith("/chat/completions")) {
                assertTrue("chat sent without the key", authorized(r));
            }
        }
    }

    @Test
    public void proxyThatIsNotRunning() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        remote("viaproxy", "apiKey", KEY);
        useProxy("127.0.0.1:" + closed);
        Diagnosis d = diagnose("viaproxy", null);
        assertStep(d, DiagnosisStep.CONNECTION, Outcome.FAILED, "could not connect to the proxy 127.0.0.1:" + closed,
                "proxy setting of moryflow.http");
        assertEquals(List.of(), upstream.all());
    }
}
