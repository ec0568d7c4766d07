package dev.moryflow.chat.internal;

import static org.junit.Assert.assertEquals;

import java.lang.reflect.Proxy;

import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

public class RemovalTest {

    private final FakeProvider p = new FakeProvider("p", "m");

    /** Config Admin holding a configuration of this PID only (or none). */
    private static ConfigurationAdmin holding(String pid) {
        return (ConfigurationAdmin) Proxy.newProxyInstance(RemovalTest.class.getClassLoader(),
                new Class<?>[] { ConfigurationAdmin.class }, (proxy, m, args) -> {
                    if (m.getName().equals("listConfigurations")) {
                        return pid != null && String.valueOf(args[0]).equals("(service.pid=" + pid + ")")
                                ? new Configuration[1] : null;
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
    }

    @Test
    public void aStoppingBundleIsNamedWhateverItsConfiguration() {
        assertEquals("its bundle test.bundle stopped: it was stopped, updated or uninstalled",
                Removal.why(p.reference(1L, Bundle.STOPPING, "moryflow.provider.openai~p"), holding(null)));
    }

    @Test
    public void aConfigurationThatIsGoneIsNamedWhenTheBundleRuns() {
        assertEquals("its configuration was deleted",
                Removal.why(p.reference(1L, Bundle.ACTIVE, "moryflow.provider.openai~p"), holding(null)));
    }

    @Test
    public void aServiceWithdrawnByARunningBundleIsSaidSo() {
        String pid = "moryflow.provider.openai~p";
        assertEquals("its bundle test.bundle withdrew it", Removal.why(p.reference(1L, Bundle.ACTIVE, pid),
                holding(pid)));
        assertEquals("its bundle test.bundle withdrew it", Removal.why(p.reference(1L, Bundle.ACTIVE, null), null));
    }
}
