package dev.moryflow.chat.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

import dev.moryflow.provider.Problem;
import dev.moryflow.provider.ProviderException;

public class ChatEventsTest {

    @Test
    public void failureLineNamesProviderModelStatusProblemCodeAndDurationButNoMessage() {
        ProviderException e = new ProviderException(Problem.RATE_LIMITED, "slow down: you said 'my secret plan'",
                null, 429, "rate_limit_exceeded", "groq", null);
        String line = ChatEvents.failureLine("llama", "groq", 42, true, e);
        assertEquals("Chat failed: provider groq, model llama, streamed, HTTP 429, problem RATE_LIMITED, upstream "
                + "code rate_limit_exceeded, 42 ms", line);
        assertFalse(line.contains("secret plan"));
    }

    @Test
    public void failureWithoutProviderOrStatusSaysSo() {
        String line = ChatEvents.failureLine("nope", null, 1, false,
                new ProviderException(Problem.MODEL_NOT_FOUND, "no provider offers model 'nope'"));
        assertEquals("Chat failed: provider -, model nope, whole, HTTP -, problem MODEL_NOT_FOUND, 1 ms", line);
    }

    @Test
    public void providerFaultsAreWarningsAndUnreachableOrRefusedRequestsInfo() {
        assertTrue(ChatEvents.isProviderFault(Problem.UPSTREAM_ERROR));
        assertTrue(ChatEvents.isProviderFault(Problem.AUTHENTICATION));
        assertFalse("an unreachable upstream does not flood the log with warnings",
                ChatEvents.isProviderFault(Problem.CONNECTION_FAILED));
        assertFalse(ChatEvents.isProviderFault(Problem.TIMEOUT));
        assertFalse(ChatEvents.isProviderFault(Problem.CANCELLED));
    }
}
