package dev.moryflow.chat.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.junit.Test;

public class RunningChatsTest {

    @Test
    public void closingHandsBackTheChatsStillRunningAndRefusesLaterOnes() {
        RunningChats<String> chats = new RunningChats<>();
        String ended = new String("ended");
        String running = new String("running");
        assertTrue(chats.add(ended));
        assertTrue(chats.add(running));
        chats.remove(ended);
        assertEquals(1, chats.size());
        assertEquals(List.of("running"), chats.close());
        assertEquals(0, chats.size());
        assertFalse("a chat was added after the registration went", chats.add(new String("late")));
        assertEquals(List.of(), chats.close());
    }
}
