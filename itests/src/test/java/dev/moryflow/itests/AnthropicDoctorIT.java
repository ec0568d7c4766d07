package dev.moryflow.itests;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;

import java.io.File;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.service.cm.Configuration;

import dev.moryflow.provider.Diagnosis;
import dev.moryflow.provider.DiagnosisStep;
import dev.moryflow.provider.DiagnosisStep.Outcome;

/**
 * The doctor knows Anthropic providers: against a fake Messages API (the installed provider-anthropic jar, as a user
 * drops it into {@code deploy/}) it probes {@code GET /v1/models} with the {@code anthropic-version} header and
 * diagnoses a wrong key, an {@code anthropic-version} the API refuses, {@code max_tokens} the API refuses, and a
 * model id typo with did-you-mean from the remote list.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AnthropicDoctorIT extends DoctorTestSupport {

    private static final String GOOD_KEY = "sk-ant-itest-good-0123456789abcdef";
    private static final String FACTORY = "moryflow.provider.anthropic";

    private FakeUpstream upstream;
    private Bundle bundle;

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        String jar = System.getProperty("itest.bundle.provider-anthropic");
        return hub(newWorkDir("anthropic-doctor"), reactorBundle("doctor"),
                frameworkProperty("itest.anthropic.jar").value(new File(jar).toURI().toString()));
    }

    private static String error(String type, String message) {
        return "{\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":\"" + message + "\"}}";
    }

    /** A Messages API as Anthropic's answers it: key, version and max_tokens checked, two models known. */
    private static FakeUpstream.Reply messagesApi(FakeUpstream.Received r) {
        String key = r.header("x-api-key");
        String version = r.header("anthropic-version");
        if (key == null) {
            return FakeUpstream.Reply.json(401, error("authentication_error", "x-api-key header is required"));
        }
        if (!"2023-06-01".equals(version)) {
            return FakeUpstream.Reply.json(400, error("invalid_request_error", "anthropic-version: \\\"" + version
                    + "\\\" is not a valid version"));
        }
        if (!GOOD_KEY.equals(key)) {
            return FakeUpstream.Reply.json(401, error("authentication_error", "invalid x-api-key"));
        }
        if (r.path.equals("/v1/models")) {
            return FakeUpstream.Reply.json(200, "{\"data\":[{\"type\":\"model\",\"id\":\"claude-sonnet-4-5\"},"
                    + "{\"type\":\"model\",\"id\":\"claude-tiny\"}],\"has_more\":false}");
        }
        String model = Json.field(r.body, "model");
        if (!"claude-sonnet-4-5".equals(model) && !"claude-tiny".equals(model)) {
            return FakeUpstream.Reply.json(404, error("not_found_error", "model: " + model));
        }
        if ("claude-tiny".equals(model)) {
            return FakeUpstream.Reply.json(400, error("invalid_request_error", "max_tokens: 16 > 8, which is the "
                    + "maximum allowed number of output tokens for claude-tiny"));
        }
        if (r.body.contains("\"stream\":true")) {
            return FakeUpstream.Reply.raw(200, "text/event-stream", "event: message_start\ndata: {\"type\":"
                    + "\"message_start\",\"message\":{\"id\":\"m\",\"model\":\"" + model + "\",\"usage\":{\"input_tokens\":"
                    + "9,\"output_tokens\":1}}}\n\nevent: content_block_delta\ndata: {\"type\":\"content_block_delta\","
                    + "\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"OK\"}}\n\nevent: message_delta\ndata: "
                    + "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":1}}"
                    + "\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
        }
        return FakeUpstream.Reply.json(200, "{\"id\":\"m\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\""
                + model + "\",\"content\":[{\"type\":\"text\",\"text\":\"OK\"}],\"stop_reason\":\"end_turn\","
                + "\"usage\":{\"input_tokens\":9,\"output_tokens\":1}}");
    }

    @Before
    public void start() throws Exception {
        upstream = new FakeUpstream();
        upstream.script(AnthropicDoctorIT::messagesApi);
        bundle = context.installBundle(context.getProperty("itest.anthropic.jar"));
        bundle.start();
    }

    @After
    public void stop() throws Exception {
        Configuration[] all = configAdmin.listConfigurations("(service.factoryPid=" + FACTORY + ")");
        if (all != null) {
            for (Configuration c : all) {
                c.delete();
            }
        }
        bundle.uninstall();
        upstream.close();
    }

    private void claude(String key, Object... more) throws Exception {
        Object[] kv = new Object[6 + more.length];
        kv[0] = "baseUrl";
        kv[1] = upstream.origin();
        kv[2] = "models";
        kv[3] = "claude-sonnet-4-5";
        kv[4] = "apiKey";
        kv[5] = key;
        System.arraycopy(more, 0, kv, 6, more.length);
        configAdmin.getFactoryConfiguration(FACTORY, "claude", "?").update(props(kv));
        awaitProvider("claude");
        awaitKeyStored("claude");
    }

    @Test
    public void aWorkingAnthropicProviderPassesEveryStep() throws Exception {
        claude(GOOD_KEY);
        Diagnosis d = diagnose("claude", null);
        assertTrue(d.steps().toString(), d.ok());
        assertStep(d, DiagnosisStep.BASE_URL, Outcome.PASSED, null, null);
        assertTrue(d.step(DiagnosisStep.BASE_URL).orElseThrow().detail().contains("the Messages API answers"));
        assertTrue(d.step(DiagnosisStep.KEY).orElseThrow().detail().contains("GET /v1/models listed 2 models"));
        assertStep(d, DiagnosisStep.TEST_MESSAGE, Outcome.PASSED, null, null);
        // the unauthenticated probe carried the version header and no key
        FakeUpstream.Received probe = upstream.all().stream().filter(r -> r.header("x-api-key") == null)
                .findFirst().orElseThrow();
        assertTrue(probe.toString(), probe.path.equals("/v1/models") && "2023-06-01".equals(
                probe.header("anthropic-version")));
    }

    @Test
    public void aWrongKeyIsNamed() throws Exception {
        claude("sk-ant-itest-wrong-0123456789abcdef");
        Diagnosis d = diagnose("claude", null);
        assertStep(d, DiagnosisStep.KEY, Outcome.FAILED, "the key was rejected", "deploy/" + FACTORY + "-claude.cfg");
        assertFalse(d.toString().contains("sk-ant-itest-wrong"));
    }

    @Test
    public void anAnthropicVersionTheApiRefusesIsNamedWithTheDefault() throws Exception {
        claude(GOOD_KEY, "anthropicVersion", "2099-01-01");
        Diagnosis d = diagnose("claude", null);
        assertStep(d, DiagnosisStep.CONFIGURATION, Outcome.FAILED, "does not accept anthropic-version 2099-01-01",
                "Set anthropicVersion = 2023-06-01");
    }

    @Test
    public void aModelIdTypoGetsDidYouMeanFromTheRemoteList() throws Exception {
        claude(GOOD_KEY);
        Diagnosis d = diagnose("claude", "claude-sonet-4-5");
        assertStep(d, DiagnosisStep.MODEL, Outcome.FAILED, "did you mean claude-sonnet-4-5", null);
    }

    @Test
    public void maxTokensTheApiRefusesNamesMaxTokens() throws Exception {
        claude(GOOD_KEY);
        Diagnosis d = diagnose("claude", "claude-tiny");
        assertStep(d, DiagnosisStep.TEST_MESSAGE, Outcome.FAILED, "refused max_tokens", "set maxTokens in deploy/"
                + FACTORY + "-claude.cfg");
    }
}
