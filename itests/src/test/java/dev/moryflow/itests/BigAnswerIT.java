package dev.moryflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * An upstream that sends 100 MB (a whole JSON answer, or one SSE event), generated while it is written: the hub cuts
 * it off at its limit (32 MiB whole, 8 MiB per event, the defaults of {@code moryflow.http}), answers a failure that
 * names the limit and the property, and answers the next chat as usual. The test JVM is the hub's, so surviving is
 * the proof: an answer held whole would end it with an OutOfMemoryError or leave no memory for the next chat.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class BigAnswerIT extends HubTestSupport {

    private static final String TOKEN = "mf-itest-big-token-0123456789";
    private static final long HUNDRED_MB = 100L * 1000 * 1000;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private RawUpstream upstream;

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return hub(newWorkDir("big"), gateway(freePort()));
    }

    @Before
    public void setUp() throws Exception {
        upstream = new RawUpstream(30_000, BigAnswerIT::answer);
        gatewayToken(TOKEN);
        provider("big", "name", "big", "baseUrl", upstream.baseUrl(), "models", new String[] { "m" });
        awaitProvider("big");
    }

    @After
    public void tearDown() throws Exception {
        deleteProviders();
        upstream.close();
    }

    private static void answer(String body, OutputStream out) throws IOException {
        boolean stream = body.contains("\"stream\":true");
        if (body.contains("send 100 MB")) {
            if (stream) {
                RawUpstream.chunked(out, "text/event-stream", "data: {\"id\":\"b\",\"object\":\"chat.completion.chunk\","
                        + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"", HUNDRED_MB,
                        "\"}}]}\n\ndata: [DONE]\n\n");
            } else {
                RawUpstream.chunked(out, "application/json", "{\"id\":\"b\",\"object\":\"chat.completion\","
                        + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"", HUNDRED_MB,
                        "\"},\"finish_reason\":\"stop\"}]}");
            }
        } else if (stream) {
            RawUpstream.whole(out, "text/event-stream",
                    "data: {\"id\":\"s\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
                            + "\"delta\":{\"role\":\"assistant\",\"content\":\"small stream\"},"
                            + "\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
        } else {
            RawUpstream.whole(out, "application/json", "{\"id\":\"c\",\"object\":\"chat.completion\","
                    + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"small whole\"},"
                    + "\"finish_reason\":\"stop\"}]}");
        }
    }

    private HttpResponse<String> chat(String words, boolean stream) throws Exception {
        String body = "{\"model\":\"big/m\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\""
                + words + "\"}]}";
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + context.getProperty("org.osgi.service.http.port") + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    public void aWholeAnswerOf100MBIsCutOffAt32MiBWith502NamingTheLimitAndTheNextChatWorks() throws Exception {
        HttpResponse<String> big = chat("send 100 MB", false);
        assertEquals(big.body(), 502, big.statusCode());
        assertTrue(big.body(), big.body().length() < 10_000);
        assertTrue(big.body(), big.body().contains("\"error\"") && big.body().contains("larger than 32 MiB")
                && big.body().contains("maxAnswerMiB of moryflow.http"));

        HttpResponse<String> next = chat("hello", false);
        assertEquals(next.body(), 200, next.statusCode());
        assertTrue(next.body(), next.body().contains("small whole"));
    }

    @Test
    public void aStreamedEventOf100MBEndsTheStreamWithAnErrorNamingTheLimitAndTheNextStreamWorks() throws Exception {
        HttpResponse<String> big = chat("send 100 MB", true);
        assertTrue(big.body(), big.body().length() < 10_000);
        assertTrue(big.statusCode() + " " + big.body(), big.body().contains("\"error\"")
                && big.body().contains("larger than 8 MiB") && big.body().contains("maxEventMiB of moryflow.http"));

        HttpResponse<String> next = chat("hello", true);
        assertEquals(next.body(), 200, next.statusCode());
        assertTrue(next.body(), next.body().contains("small stream") && !next.body().contains("\"error\""));
    }
}
