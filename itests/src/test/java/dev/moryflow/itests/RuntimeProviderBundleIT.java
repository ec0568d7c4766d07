package dev.moryflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URL;
import java.util.Enumeration;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;

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
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", "dev.moryflow.itests.echo");
        a.putValue("Bundle-Version", "1.0.0");
        a.putValue("Bundle-Activator", EchoProviderActivator.class.getName());
        a.putValue("Import-Package", "dev.moryflow.provider;version=\"[1.0,2)\",org.osgi.framework");
        String folder = EchoProviderActivator.class.getPackageName().replace('.', '/');
        Bundle probe = FrameworkUtil.getBundle(getClass());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int classes = 0;
        try (JarOutputStream jar = new JarOutputStream(bytes, mf)) {
            Enumeration<URL> entries = probe.findEntries(folder, "*.class", false);
            while (entries != null && entries.hasMoreElements()) {
                URL url = entries.nextElement();
                String path = url.getPath().startsWith("/") ? url.getPath().substring(1) : url.getPath();
                jar.putNextEntry(new JarEntry(path));
                try (InputStream in = url.openStream()) {
                    in.transferTo(jar);
                }
                jar.closeEntry();
                classes++;
            }
        }
        assertTrue("the probe holds the echo provider's classes", classes >= 2);
        return bytes.toByteArray();
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
