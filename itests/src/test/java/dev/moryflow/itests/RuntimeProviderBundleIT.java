package dev.moryflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

import dev.moryflow.events.Topics;
import dev.moryflow.itests.extra.EchoProviderActivator;
import dev.moryflow.provider.ChatRequest;
import dev.moryflow.provider.Problem;
import dev.moryflow.provider.ProviderException;

/** A provider bundle built by the test and installed into the running hub, then uninstalled. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RuntimeProviderBundleIT extends HubTestSupport {

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return hub(newWorkDir("runtime-bundle"));
    }

    /** Builds a bundle jar holding the classes of the {@code extra} package, with its own manifest. */
    private byte[] buildEchoBundle() throws Exception {
        return bundleOf("dev.moryflow.itests.echo", EchoProviderActivator.class,
                "dev.moryflow.provider;version=\"[2.0,3)\",org.osgi.framework", 2);
    }

    @Test
    public void installingAProviderBundleMakesItsModelsRoutableAndUninstallingRemovesThem() throws Exception {
        try (EventRecorder events = new EventRecorder()) {
            Bundle echo = context.installBundle("itest:echo-provider", new ByteArrayInputStream(buildEchoBundle()));
            echo.start();
            awaitProvider("echo");
            events.await(Topics.MODEL_ADDED, "echo");
            assertTrue(chatService().models().stream().anyMatch(m -> m.qualifiedName().equals("echo/echo-1")
                    && m.model().displayName().equals("Echo One")));
            assertEquals("echo: ping", chatService().chat(ChatRequest.of("echo-1", "ping")).content());

            echo.uninstall();
            awaitNoProvider("echo");
            events.await(Topics.MODEL_REMOVED, "echo");
            try {
                chatService().chat(ChatRequest.of("echo-1", "ping"));
                throw new AssertionError("routed to an uninstalled bundle's provider");
            } catch (ProviderException e) {
                assertEquals(Problem.MODEL_NOT_FOUND, e.problem());
            }
        }
    }
}
