package dev.moryflow.http.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.util.Map;

import org.junit.After;
import org.junit.Test;

import dev.moryflow.http.AnswerTooLargeException;
import dev.moryflow.http.HttpClients;
import dev.moryflow.http.Problems;
import dev.moryflow.provider.Problem;
import dev.moryflow.provider.ProviderException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.Request;
import okhttp3.Response;
import okio.Buffer;

public class AnswerLimitInterceptorTest {

    private static final int MIB = 1024 * 1024;

    private HttpClientsImpl clients;

    @After
    public void tearDown() {
        if (clients != null) {
            clients.deactivate();
        }
    }

    private static Buffer bytes(long n) {
        Buffer b = new Buffer();
        byte[] chunk = new byte[64 * 1024];
        java.util.Arrays.fill(chunk, (byte) 'a');
        for (long left = n; left > 0; left -= chunk.length) {
            b.write(chunk, 0, (int) Math.min(left, chunk.length));
        }
        return b;
    }

    private Response get(MockWebServer server, String accept) throws IOException {
        Request.Builder r = new Request.Builder().url(server.url("/v1/chat/completions"));
        if (accept != null) {
            r.header("Accept", accept);
        }
        return clients.client().newCall(r.build()).execute();
    }

    @Test
    public void aChunkedAnswerLargerThanTheLimitIsCutOffAndNamesTheProperty() throws Exception {
        try (MockWebServer server = new MockWebServer()) {
            server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "application/json")
                    .chunkedBody(bytes(3L * MIB), 64 * 1024).build());
            server.start();
            clients = new HttpClientsImpl(Map.of(HttpClients.PROP_MAX_ANSWER_MIB, "1"));
            assertEquals(MIB, clients.maxAnswerBytes());
            try (Response r = get(server, null)) {
                r.body().bytes();
                fail("3 MiB were read whole with a limit of 1 MiB");
            } catch (AnswerTooLargeException expected) {
                assertEquals(MIB, expected.limitBytes());
                ProviderException p = Problems.transport(expected, server.url("/v1"), null);
                assertEquals(Problem.RESPONSE_FORMAT, p.problem());
                assertTrue(p.getMessage(), p.getMessage().startsWith("the answer from " + server.getHostName() + ":" + server.getPort()
                        + " is larger than 1 MiB, the limit set by maxAnswerMiB of moryflow.http"));
                assertTrue(p.hint(), p.hint().contains("raise maxAnswerMiB in the moryflow.http configuration"));
            }
        }
    }

    @Test
    public void answersHeldAtOnceAreBoundedTogetherAndAClosedOneGivesItsShareBack() throws Exception {
        try (MockWebServer server = new MockWebServer()) {
            for (int i = 0; i < 3; i++) {
                server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "application/json")
                        .chunkedBody(bytes(2L * MIB), 64 * 1024).build());
            }
            server.start();
            AnswerMemory memory = new AnswerMemory(3L * MIB);
            okhttp3.OkHttpClient client = new okhttp3.OkHttpClient.Builder()
                    .addInterceptor(new AnswerLimitInterceptor(32L * MIB, memory)).build();
            Request req = new Request.Builder().url(server.url("/v1/chat/completions")).build();
            try (Response first = client.newCall(req).execute()) {
                assertEquals(2 * MIB, first.body().bytes().length);
                assertEquals("held until its response is closed", 2L * MIB, memory.used());
                try (Response second = client.newCall(req).execute()) {
                    second.body().bytes();
                    fail("4 MiB of answers were held with room for 3");
                } catch (dev.moryflow.http.AnswersInMemoryException expected) {
                    ProviderException p = Problems.transport(expected, server.url("/v1"), null);
                    assertEquals(Problem.RATE_LIMITED, p.problem());
                    assertTrue(p.getMessage(), p.getMessage().startsWith("the hub is holding as many large answers "
                            + "as its memory allows (3 MiB"));
                }
                assertEquals("the refused one gave back what it took", 2L * MIB, memory.used());
            }
            assertEquals(0, memory.used());
            try (Response third = client.newCall(req).execute()) {
                assertEquals(2 * MIB, third.body().bytes().length);
            }
            assertEquals(0, memory.used());
        }
    }

    @Test
    public void anAnswerWhoseLengthIsOverTheLimitFailsBeforeItsBodyIsRead() throws Exception {
        try (MockWebServer server = new MockWebServer()) {
            server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "application/json")
                    .body(bytes(2L * MIB)).build());
            server.start();
            clients = new HttpClientsImpl(Map.of(HttpClients.PROP_MAX_ANSWER_MIB, 1));
            try (Response r = get(server, null)) {
                fail("the answer was returned: " + r.code());
            } catch (AnswerTooLargeException expected) {
                assertTrue(expected.getMessage(), expected.getMessage().contains("larger than 1 MiB"));
            }
        }
    }

    @Test
    public void answersUpToTheLimitAndEventStreamsOfAnyLengthAreReadWhole() throws Exception {
        try (MockWebServer server = new MockWebServer()) {
            server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "application/json")
                    .chunkedBody(bytes(MIB), 64 * 1024).build());
            server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "text/event-stream")
                    .chunkedBody(bytes(3L * MIB), 64 * 1024).build());
            server.enqueue(new MockResponse.Builder().removeHeader("Content-Type")
                    .chunkedBody(bytes(3L * MIB), 64 * 1024).build());
            server.start();
            clients = new HttpClientsImpl(Map.of(HttpClients.PROP_MAX_ANSWER_MIB, 1));
            try (Response r = get(server, null)) {
                assertEquals(MIB, r.body().bytes().length);
            }
            try (Response r = get(server, null)) {
                assertEquals(3 * MIB, r.body().bytes().length);
            }
            try (Response r = get(server, "text/event-stream")) {
                assertEquals("no content type, but the request asked for a stream", 3 * MIB,
                        r.body().bytes().length);
            }
        }
    }

    @Test
    public void limitsDefaultTo32And8MiBAndUnusableValuesSaySo() {
        HttpSettings d = HttpSettings.defaults();
        assertEquals(32L * MIB, d.maxAnswerBytes());
        assertEquals(8L * MIB, d.maxEventBytes());
        HttpSettings bad = HttpSettings.from(Map.of(HttpClients.PROP_MAX_ANSWER_MIB, 0,
                HttpClients.PROP_MAX_EVENT_MIB, "many"));
        assertEquals(32L * MIB, bad.maxAnswerBytes());
        assertEquals(8L * MIB, bad.maxEventBytes());
        assertTrue(bad.problems().toString(), bad.problems().get(0).startsWith("maxAnswerMiB = 0 is out of range"));
        assertTrue(bad.problems().toString(), bad.problems().get(1).startsWith("maxEventMiB = \"many\" is not a whole"));
    }
}
