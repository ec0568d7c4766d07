package dev.moryflow.provider;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

public class ProviderIdsTest {

    private static final String FACTORY = "moryflow.provider.openai";

    @Test
    public void namedFactoryConfigurationUsesTheNameAfterTheTilde() {
        assertEquals("groq", ProviderIds.of(FACTORY + "~groq"));
        assertNull(ProviderIds.refusal(FACTORY + "~groq", FACTORY, null));
    }

    @Test
    public void aGeneratedPidHasNoIdUntilOneIsGivenAndTheNameIsNeverReadForIt() {
        assertNull(ProviderIds.of(FACTORY + ".1234-abcd"));
        assertTrue(ProviderIds.isUnnamed(FACTORY + ".1234-abcd", FACTORY));
        assertFalse(ProviderIds.isUnnamed(FACTORY + "~groq", FACTORY));
        assertTrue(ProviderIds.refusal(FACTORY + ".1234-abcd", FACTORY, null).contains("no provider id yet"));
    }

    @Test
    public void aPlainConfigurationWithoutFactoryIsNotAProviderAndTheRefusalSaysHowToNameTheFile() {
        String why = ProviderIds.refusal(FACTORY, null, null);
        assertTrue(why, why.contains("moryflow.provider.openai-<id>.cfg"));
    }

    @Test
    public void anIdPropertyThatDisagreesWithTheNameIsRefused() {
        assertTrue(ProviderIds.refusal(FACTORY + "~groq", FACTORY, "other").contains("does not match"));
        assertNull(ProviderIds.refusal(FACTORY + "~groq", FACTORY, "groq"));
    }

    @Test
    public void aNewConfigurationAskingForATakenOrInvalidIdSaysSo() {
        String gen = FACTORY + ".1234-abcd";
        assertTrue(ProviderIds.refusal(gen, FACTORY, "dup", "dup"::equals).contains("already used"));
        assertTrue(ProviderIds.refusal(gen, FACTORY, "a b", id -> false).contains("not valid"));
        assertTrue(ProviderIds.refusal(gen, FACTORY, "free", id -> false).contains("no provider id yet"));
        assertNull(ProviderIds.refusal(FACTORY + "~dup", FACTORY, null, "dup"::equals));
    }

    @Test
    public void slugsAreMadeFromNames() {
        assertEquals("my-ai-service", ProviderIds.slug(" My AI  Service! "));
        assertEquals("provider", ProviderIds.slug("!!!"));
        assertEquals("provider", ProviderIds.slug(null));
        assertTrue(ProviderIds.isValid(ProviderIds.slug("x".repeat(200))));
    }

    @Test
    public void idsWithSlashSpaceTildeOrColonAreInvalidAndHubNamesAreReserved() {
        assertTrue(ProviderIds.isValid("lm-studio_2.local"));
        assertTrue(ProviderIds.isValid("MyAI"));
        assertFalse(ProviderIds.isValid("a/b"));
        assertFalse(ProviderIds.isValid("a b"));
        assertFalse(ProviderIds.isValid("a~b"));
        assertFalse(ProviderIds.isValid("hub:gateway.token"));
        assertFalse(ProviderIds.isValid("-x"));
        assertFalse(ProviderIds.isValid("x".repeat(65)));
        assertFalse(ProviderIds.isValid(""));
        assertFalse(ProviderIds.isValid(null));
        assertTrue(ProviderIds.isReserved("gateway.token"));
        assertFalse(ProviderIds.isValid("gateway.token"));
        assertTrue(ProviderIds.refusal(FACTORY + "~my leak", FACTORY, null).contains("not valid"));
    }

    @Test
    public void filterValuesAreEscapedForServiceFilters() {
        assertEquals("a\\(b\\)\\*c\\\\d", ProviderIds.filterValue("a(b)*c\\d"));
        assertEquals("moryflow.provider.openai~groq", ProviderIds.filterValue("moryflow.provider.openai~groq"));
    }
}
