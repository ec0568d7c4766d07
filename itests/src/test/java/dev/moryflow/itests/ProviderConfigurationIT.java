package dev.moryflow.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.Arrays;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.event.Event;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

import dev.moryflow.events.Topics;
import dev.moryflow.provider.ProviderService;

/** A provider's life as a Config Admin factory configuration: created, changed, refused, disabled, deleted. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ProviderConfigurationIT extends HubTestSupport {

    @Inject
    private MetaTypeService metaTypeService;

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return hub(newWorkDir("config"));
    }

    @Test
    public void factoryConfigurationRegistersAProviderServiceWithTheDesignProperties() throws Exception {
        try (EventRecorder events = new EventRecorder()) {
            Configuration c = provider("custom1", "name", "My AI Service", "baseUrl", "http://127.0.0.1:9/v1",
                    "models", new String[] { "gpt-4", "gpt-3.5-turbo" }, "service.ranking", 7);
            ServiceReference<ProviderService> ref = awaitProvider("custom1");
            assertEquals("My AI Service", ref.getProperty(ProviderService.PROVIDER_NAME));
            assertEquals("openai", ref.getProperty(ProviderService.PROVIDER_PROTOCOL));
            assertArrayEquals(new String[] { "gpt-4", "gpt-3.5-turbo" },
                    (String[]) ref.getProperty(ProviderService.PROVIDER_MODELS));
            assertEquals(7, ref.getProperty("service.ranking"));
            assertNull("no preset property for a custom provider", ref.getProperty(ProviderService.PROVIDER_PRESET));
            Event added = events.await(Topics.PROVIDER_ADDED, "custom1");
            assertEquals("My AI Service", added.getProperty("provider.name"));

            c.delete();
            awaitNoProvider("custom1");
            events.await(Topics.PROVIDER_REMOVED, "custom1");
        }
    }

    @Test
    public void changingTheConfigurationChangesTheServiceAndTheRoutableModels() throws Exception {
        try (EventRecorder events = new EventRecorder()) {
            Configuration c = provider("changing", "name", "Changing", "baseUrl", "http://127.0.0.1:9/v1", "models",
                    new String[] { "old-model" }, "preset", "groq");
            assertEquals("groq", awaitProvider("changing").getProperty(ProviderService.PROVIDER_PRESET));
            awaitCondition("old-model not routable", () -> chatService().models().stream()
                    .anyMatch(m -> m.qualifiedName().equals("changing/old-model")));

            c.update(props("name", "Changed", "baseUrl", "http://127.0.0.1:9/v1", "models",
                    new String[] { "new-model" }));
            awaitCondition("new-model not routable", () -> chatService().models().stream()
                    .anyMatch(m -> m.qualifiedName().equals("changing/new-model")));
            assertTrue(chatService().models().stream().noneMatch(m -> m.model().id().equals("old-model")));
            assertEquals("Changed", awaitProvider("changing").getProperty(ProviderService.PROVIDER_NAME));
            events.await(Topics.PROVIDER_MODIFIED, "changing");
            events.await(Topics.MODEL_REMOVED, "changing");
            c.delete();
            awaitNoProvider("changing");
        }
    }

    @Test
    public void invalidConfigurationIsRefusedAndOthersAreUndisturbed() throws Exception {
        Configuration bad = provider("broken", "name", "Broken", "baseUrl", "not a url", "models",
                new String[] { "m" });
        Configuration missing = provider("nourl", "name", "No URL", "models", new String[] { "m" });
        Configuration good = provider("fine", "name", "Fine", "baseUrl", "http://127.0.0.1:9/v1", "models",
                new String[] { "m" });
        awaitProvider("fine");
        assertNull("a provider with an unparsable baseUrl must not be registered", providerRefs("(provider.id=broken)"));
        assertNull("a provider without baseUrl must not be registered", providerRefs("(provider.id=nourl)"));

        bad.update(props("name", "Broken", "baseUrl", "http://127.0.0.1:9/v1", "models", new String[] { "m" }));
        awaitProvider("broken");
        assertNotNull("the good provider is still there", providerRefs("(provider.id=fine)"));
        for (Configuration c : new Configuration[] { bad, missing, good }) {
            c.delete();
        }
        awaitNoProvider("fine");
        awaitNoProvider("broken");
    }

    @Test
    public void disabledProviderIsNotRegisteredUntilEnabled() throws Exception {
        Configuration c = provider("off", "name", "Off", "baseUrl", "http://127.0.0.1:9/v1", "enabled", false);
        Configuration marker = provider("marker", "name", "Marker", "baseUrl", "http://127.0.0.1:9/v1");
        awaitProvider("marker");
        assertNull(providerRefs("(provider.id=off)"));
        c.update(props("name", "Off", "baseUrl", "http://127.0.0.1:9/v1", "enabled", true));
        awaitProvider("off");
        c.delete();
        marker.delete();
        awaitNoProvider("off");
    }

    @Test
    public void metatypeDescribesTheProviderFormWithTheKeyAsPassword() {
        Bundle openai = installedBundle("dev.moryflow.provider.openai");
        ObjectClassDefinition ocd = metaTypeService.getMetaTypeInformation(openai)
                .getObjectClassDefinition(OPENAI_FACTORY, null);
        assertNotNull("no metatype for " + OPENAI_FACTORY, ocd);
        AttributeDefinition[] ads = ocd.getAttributeDefinitions(ObjectClassDefinition.ALL);
        AttributeDefinition apiKey = Arrays.stream(ads).filter(a -> a.getID().equals("apiKey")).findFirst()
                .orElseThrow(() -> new AssertionError("no apiKey attribute"));
        assertEquals(AttributeDefinition.PASSWORD, apiKey.getType());
        for (String id : new String[] { "name", "baseUrl", "apiKeyEnv", "models", "dialect", "apiVersion", "headers",
                "timeoutSeconds", "enabled", "preset" }) {
            assertTrue("form lacks " + id, Arrays.stream(ads).anyMatch(a -> a.getID().equals(id)));
        }
    }
}
