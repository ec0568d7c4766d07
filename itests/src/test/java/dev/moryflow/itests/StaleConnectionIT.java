package dev.moryflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * An upstream that closes idle keep-alive connections (Node's {@code keepAliveTimeout}, uvicorn's
 * {@code timeout_keep_alive}; here after 2 s): a chat sent after a quiet spell goes out on the pooled connection the
 * upstream has already closed, fails before a byte of the answer, and must be sent again on a fresh connection,
 * whole and streamed, without any request reaching the upstream twice.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class StaleConnectionIT extends HubTestSupport {

    private static final String TOKEN = "mf-itest-stale-token-0123456789";
    private static final int IDLE_CLOSE_MS = 2000;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private RawUpstream upstream;

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return hub(newWorkDir("stale"), gateway(freePort()));
    }

    @Before
    public void setUp() throws Exception {
        upstream = new RawUpstream(IDLE_CLOSE_MS, StaleConnectionIT::answer);
        gatewayToken(TOKEN);
        provider("idle", "name", "idle", "baseUrl", upstream.baseUrl(), "models", new String[] { "m" });
        awaitProvider("idle");
    }

    @After
    public void tearDown() throws Exception {
        deleteProviders();
        upstream.close();
    }

    private static void answer(String body, java.io.OutputStream out) throws java.io.IOException {
        if (body.contains("\"stream\":true")) {
            RawUpstream.whole(out, "text/event-stream",
                    "data: {\"id\":\"s\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{\"index\":0,"
                            + "\"delta\":{\"role\":\"assistant\",\"content\":\"streamed hello\"}}]}\n\n"
                            + "data: {\"id\":\"s\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{\"index\":0,"
                            + "\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
                            + "data: [DONE]\n\n");
        } else {
            RawUpstream.whole(out, "application/json", "{\"id\":\"c\",\"object\":\"chat.completion\",\"model\":\"m\","
                    + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"whole hello\"},"
                    + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2,"
                    + "\"total_tokens\":3}}");
        }
    }

    private HttpResponse<String> chat(String words, boolean stream) throws Exception {
        String body = "{\"model\":\"idle/m\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\""
                + words + "\"}]}";
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + context.getProperty("org.osgi.service.http.port") + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private void assertChats(String whole, String streamed) throws Exception {
        HttpResponse<String> w = chat(whole, false);
        assertEquals(w.body(), 200, w.statusCode());
        assertTrue(w.body(), w.body().contains("whole hello"));
        HttpResponse<String> s = chat(streamed, true);
        assertEquals(s.body(), 200, s.statusCode());
        assertTrue(s.body(), s.body().contains("streamed hello") && s.body().contains("[DONE]"));
        assertTrue(s.body(), !s.body().contains("\"error\""));
    }

    @Test
    public void chatsAfterTheUpstreamClosedItsIdleConnectionSucceedAndReachItOnce() throws Exception {
        assertChats("first whole", "first streamed");
        assertEquals("both chats went over one kept-alive connection", 1, upstream.connections());

        // quiet until the upstream has closed the idle connection the hub keeps in its pool
        awaitCondition("the upstream did not close its idle connection", () -> upstream.idleClosed() >= 1);

        assertChats("second whole", "second streamed");

        List<String> received = upstream.requests();
        for (String words : List.of("first whole", "first streamed", "second whole", "second streamed")) {
            assertEquals("the upstream received \"" + words + "\" once: " + received, 1,
                    received.stream().filter(b -> b.contains("\"" + words + "\"")).count());
        }
        assertEquals(received.toString(), 4, received.size());
        assertEquals("the second pair went over one fresh connection", 2, upstream.connections());
    }
}
