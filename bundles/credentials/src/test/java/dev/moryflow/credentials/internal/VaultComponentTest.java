package dev.moryflow.credentials.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.slf4j.LoggerFactory;

public class VaultComponentTest {

    @Rule
    public final TemporaryFolder temp = new TemporaryFolder();

    @Test
    public void aConfiguredDirectoryWins() {
        assertEquals(Path.of("/srv/keys"), VaultComponent.resolveDirectory(" /srv/keys ", "data", "/opt/karaf/data",
                () -> new File("/bundle/data")));
    }

    @Test
    public void theDataDirPropertyGivesItsCredentialsFolder() {
        assertEquals(Path.of("data", "credentials"), VaultComponent.resolveDirectory("", "data", null,
                () -> new File("/bundle/data")));
    }

    @Test
    public void inKarafTheStoreIsInKarafsDataFolderNotInTheBundlesArea() {
        assertEquals(Path.of("/opt/karaf/data/moryflow/credentials"), VaultComponent.resolveDirectory("", null,
                "/opt/karaf/data", () -> new File("/opt/karaf/data/cache/bundle60/data/credentials")));
    }

    @Test
    public void theDataDirPropertyWinsOverKarafsDataFolder() {
        assertEquals(Path.of("data", "credentials"), VaultComponent.resolveDirectory(" ", "data", "/opt/karaf/data",
                () -> new File("/bundle/data")));
    }

    @Test
    public void aStoreLeftInTheBundleAreaMovesToTheDefaultFolder() throws IOException {
        Path area = temp.newFolder("cache", "bundle60", "data", "credentials").toPath();
        Files.write(area.resolve("master.key"), new byte[] { 1, 2 });
        Files.write(area.resolve("credentials.store"), new byte[] { 3, 4 });
        Path target = temp.getRoot().toPath().resolve("moryflow/credentials");

        assertTrue(VaultComponent.adopt(area, target, LoggerFactory.getLogger(VaultComponentTest.class)));
        assertArrayEquals(new byte[] { 1, 2 }, Files.readAllBytes(target.resolve("master.key")));
        assertArrayEquals(new byte[] { 3, 4 }, Files.readAllBytes(target.resolve("credentials.store")));
        assertFalse(Files.exists(area.resolve("credentials.store")));
    }

    @Test
    public void aStoreInTheDefaultFolderIsNeverReplacedByTheBundleAreasOne() throws IOException {
        Path area = temp.newFolder("area").toPath();
        Files.write(area.resolve("master.key"), new byte[] { 1 });
        Files.write(area.resolve("credentials.store"), new byte[] { 2 });
        Path target = temp.newFolder("target").toPath();
        Files.write(target.resolve("master.key"), new byte[] { 9 });
        Files.write(target.resolve("credentials.store"), new byte[] { 8 });

        assertFalse(VaultComponent.adopt(area, target, LoggerFactory.getLogger(VaultComponentTest.class)));
        assertArrayEquals(new byte[] { 8 }, Files.readAllBytes(target.resolve("credentials.store")));
        assertTrue(Files.exists(area.resolve("credentials.store")));
    }

    @Test
    public void otherwiseTheBundleDataAreaIsUsed() {
        assertEquals(Path.of("/cache/bundle7/data/credentials"), VaultComponent.resolveDirectory(null, null, null,
                () -> new File("/cache/bundle7/data/credentials")));
    }

    @Test
    public void withoutAnyFolderTheErrorNamesTheSetting() {
        try {
            VaultComponent.resolveDirectory("", " ", "", () -> null);
            fail();
        } catch (IllegalStateException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("'directory' property of configuration "
                    + "moryflow.credentials"));
        }
    }
}
