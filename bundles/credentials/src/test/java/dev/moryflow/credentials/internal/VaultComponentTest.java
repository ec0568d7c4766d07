package dev.moryflow.credentials.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.nio.file.Path;

import org.junit.Test;

public class VaultComponentTest {

    @Test
    public void aConfiguredDirectoryWins() {
        assertEquals(Path.of("/srv/keys"), VaultComponent.resolveDirectory(" /srv/keys ", "data",
                () -> new File("/bundle/data")));
    }

    @Test
    public void theDataDirPropertyGivesItsCredentialsFolder() {
        assertEquals(Path.of("data", "credentials"), VaultComponent.resolveDirectory("", "data",
                () -> new File("/bundle/data")));
    }

    @Test
    public void otherwiseTheBundleDataAreaIsUsed() {
        assertEquals(Path.of("/cache/bundle7/data/credentials"), VaultComponent.resolveDirectory(null, null,
                () -> new File("/cache/bundle7/data/credentials")));
    }

    @Test
    public void withoutAnyFolderTheErrorNamesTheSetting() {
        try {
            VaultComponent.resolveDirectory("", " ", () -> null);
            fail();
        } catch (IllegalStateException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("'directory' property of configuration "
                    + "moryflow.credentials"));
        }
    }
}
