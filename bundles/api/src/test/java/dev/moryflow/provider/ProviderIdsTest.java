package dev.moryflow.provider;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

public class ProviderIdsTest {

    private static final String FACTORY = "moryflow.provider.openai";

    @Test
    public void namedFactoryConfigurationUsesTheNameAfterTheTilde() {
        assertEquals("groq", ProviderIds.fromConfiguration(FACTORY + "~groq", FACTORY, "Groq Cloud"));
    }

    @Test
    public void generatedPidUsesTheSluggedNameProperty() {
        assertEquals("my-ai-service", ProviderIds.fromConfiguration(FACTORY + ".1234-abcd", FACTORY, " My AI  Service! "));
    }

    @Test
    public void generatedPidWithoutNameUsesTheGeneratedSuffix() {
        assertEquals("1234-abcd", ProviderIds.fromConfiguration(FACTORY + ".1234-abcd", FACTORY, null));
    }

    @Test
    public void idsWithSlashOrSpaceAreInvalid() {
        assertTrue(ProviderIds.isValid("lm-studio_2.local"));
        assertFalse(ProviderIds.isValid("a/b"));
        assertFalse(ProviderIds.isValid("a b"));
        assertFalse(ProviderIds.isValid(""));
        assertFalse(ProviderIds.isValid(null));
    }

    @Test
    public void filterValuesAreEscapedForServiceFilters() {
        org.junit.Assert.assertEquals("a\\(b\\)\\*c\\\\d", ProviderIds.filterValue("a(b)*c\\d"));
        org.junit.Assert.assertEquals("moryflow.provider.openai~groq", ProviderIds.filterValue("moryflow.provider.openai~groq"));
    }
}
