package dev.moryflow.credentials.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.HashMap;
import java.util.Map;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.osgi.framework.ServiceReference;
import org.junit.rules.TemporaryFolder;
import org.osgi.framework.Constants;

import dev.moryflow.credentials.CredentialAccessException;
import dev.moryflow.credentials.CredentialStore;

public class BundleCredentialStoreTest {

    private static final String GROQ_KEY = "gsk_groq-secret-42";

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private Vault vault;

    @Before
    public void setUp() {
        vault = Fixtures.openVault(temp.getRoot().toPath(), null, new Fixtures.RecordingEvents(),
                new Fixtures.MutableClock(Fixtures.T0));
        vault.store("groq", GROQ_KEY.toCharArray());
        vault.store("openai", "sk-openai".toCharArray());
    }

    @Test
    public void aBundleReadsTheKeyOfTheProviderItRegistered() {
        CredentialStore store = Fixtures.view(vault,
                Fixtures.bundle("dev.moryflow.provider.openai", Fixtures.providerService("groq")));
        assertArrayEquals(GROQ_KEY.toCharArray(), store.read("groq", null).orElseThrow());
    }

    @Test
    public void aBundleThatRegistersAnIdTakenAlreadyCannotReadItsKeyWhateverItsRanking() {
        ServiceReference<?> real = Fixtures.providerService("groq", 10L);
        ServiceReference<?> hijack = Fixtures.providerService("groq", 57L);
        java.util.List<ServiceReference<?>> all = java.util.List.of(real, hijack);
        CredentialStore thief = Fixtures.view(vault, Fixtures.bundleAmong("evil.bundle", all, hijack));
        try {
            thief.read("groq", null);
            fail("a second registration of provider groq unlocked its key");
        } catch (CredentialAccessException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("first"));
        }
        CredentialStore owner = Fixtures.view(vault,
                Fixtures.bundleAmong("dev.moryflow.provider.openai", all, real));
        assertArrayEquals(GROQ_KEY.toCharArray(), owner.read("groq", null).orElseThrow());
    }

    @Test
    public void aBundleMayNotReadAnotherProvidersKey() {
        CredentialStore store = Fixtures.view(vault,
                Fixtures.bundle("dev.moryflow.provider.openai", Fixtures.providerService("groq")));
        try {
            store.read("openai", null);
            fail("read of a provider the bundle did not register");
        } catch (CredentialAccessException expected) {
            String message = expected.getMessage();
            assertTrue(message, message.contains("'openai'") && message.contains("dev.moryflow.provider.openai"));
            assertFalse(message, message.contains("sk-openai"));
        }
    }

    @Test
    public void anAdminBundleWithoutProvidersCannotReadButCanManage() {
        CredentialStore store = Fixtures.view(vault, Fixtures.bundle("dev.moryflow.gateway"));
        try {
            store.read(CredentialStore.GATEWAY_TOKEN, null);
            fail();
        } catch (CredentialAccessException expected) {
            assertTrue(expected.getMessage().contains("dev.moryflow.gateway"));
        }
        store.store(CredentialStore.GATEWAY_TOKEN, "tok-123".toCharArray());
        assertTrue(store.verify(CredentialStore.GATEWAY_TOKEN, "tok-123".toCharArray()));
        assertEquals(3, store.list().size());
        assertTrue(store.metadata("groq").isPresent());
        store.rotate("groq", "gsk-new".toCharArray());
        assertTrue(store.delete("openai"));
    }

    @Test
    public void aServiceWithTheRightIdButAnotherInterfaceDoesNotGrantAccess() {
        Map<String, Object> properties = new HashMap<>();
        properties.put(Constants.OBJECTCLASS, new String[] {"some.other.Service"});
        properties.put("provider.id", "groq");
        CredentialStore store = Fixtures.view(vault,
                Fixtures.bundle("evil.bundle", Fixtures.reference(properties)));
        try {
            store.read("groq", null);
            fail();
        } catch (CredentialAccessException expected) {
            assertTrue(expected.getMessage().contains("evil.bundle"));
        }
    }

    @Test
    public void withoutAUsingBundleNothingIsReadable() {
        try {
            Fixtures.view(vault, null).read("groq", null);
            fail();
        } catch (CredentialAccessException expected) {
            assertFalse(expected.getMessage().contains(GROQ_KEY));
        }
    }

    @Test
    public void anOwnProviderWithoutAStoredKeyReadsEmpty() {
        CredentialStore store = Fixtures.view(vault,
                Fixtures.bundle("dev.moryflow.provider.openai", Fixtures.providerService("lmstudio")));
        assertFalse(store.read("lmstudio", null).isPresent());
    }

    @Test
    public void toStringNamesTheBundleOnly() {
        String text = Fixtures.view(vault, Fixtures.bundle("b.one")).toString();
        assertTrue(text, text.contains("b.one"));
        assertFalse(text, text.contains("gsk"));
    }
}
