package dev.moryflow.webconsole.internal;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.security.SecureRandom;

import org.junit.Test;

public class FormTokenTest {

    @Test
    public void onlyItsOwnValueMatches() {
        FormToken t = new FormToken(new SecureRandom());
        assertTrue(t.matches(t.value()));
        assertFalse(t.matches(null));
        assertFalse(t.matches(""));
        assertFalse(t.matches(t.value() + "x"));
        assertFalse(t.matches(new FormToken(new SecureRandom()).value()));
        assertNotEquals(t.value(), new FormToken(new SecureRandom()).value());
        assertTrue("at least 256 bits", t.value().length() >= 43);
    }
}
