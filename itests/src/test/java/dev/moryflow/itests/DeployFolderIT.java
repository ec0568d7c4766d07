package dev.moryflow.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.io.IOException;

import org.junit.Test;
import org.osgi.framework.ServiceReference;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import dev.moryflow.provider.ChatRequest;
import dev.moryflow.provider.ProviderService;

/** Provider files dropped into a real FileInstall-watched folder, changed and deleted while the hub runs. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DeployFolderIT extends HubTestSupport {

    private static final String KEY = "sk-deploy-FILE-KEY-31337";

    @org.ops4j.pax.exam.Configuration
    public Option[] config() throws Exception {
        String work = newWorkDir("deploy");
        Path deploy = Files.createDirectories(Path.of(work, "deploy"));
        return hub(work,
                deployFolder(deploy, 1000)); // as the runtime polls: slower than the 100 ms elsewhere
    }

    private Path deploy() {
        return workDir().resolve("deploy");
    }

    @Test
    public void aThousandProviderFilesCopiedInAtOnceAreAllRoutableWithTheirKeysOutOfTheFiles() throws Exception {
        int count = 1000; // far past the 512 events (two a file) Java's WatchService holds before it drops the rest
        Path staging = Files.createDirectories(deploy().resolveSibling("staging"));
        for (int i = 0; i < count; i++) {
            Files.writeString(staging.resolve("moryflow.provider.openai-bulk" + i + ".cfg"), "name = Bulk " + i
                    + "\nbaseUrl = http://127.0.0.1:9/v1\napiKey = sk-bulk-key-" + i + "-0123456789\nmodels = bulk-m" + i + "\n");
        }
        try (java.util.stream.Stream<Path> files = Files.list(staging)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                // copied, as cp does: a created and a modified event each
                Files.copy(f, deploy().resolve(f.getFileName()));
            }
        }
        long start = System.nanoTime();
        // the bound for 2,000 files is 30 s; measured here: 1,000 in 9 s while other builds ran
        awaitCondition("not every provider was registered", 30_000, () -> {
            ServiceReference<?>[] refs = providerRefs("(provider.id=bulk*)");
            return refs != null && refs.length == count;
        });
        awaitCondition("not every provider's model is routable", 30_000, () -> chatService().models().stream()
                .filter(m -> m.providerId().startsWith("bulk")).count() == count);
        System.out.println(count + " provider files copied into deploy/: all routable after "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms");
        awaitCondition(() -> "a key stayed in a deploy file", () -> {
            try (java.util.stream.Stream<Path> files = Files.list(deploy())) {
                return files.filter(f -> f.getFileName().toString().startsWith("moryflow.provider.openai-bulk"))
                        .noneMatch(f -> {
                            try {
                                return Files.readString(f).contains("sk-bulk-key-");
                            } catch (IOException gone) {
                                return false;
                            }
                        });
            }
        });
        deleteProviders();
    }

    @Test
    public void droppedFileBecomesAProviderItsKeyLeavesTheFileAndDeletingTheFileRemovesIt() throws Exception {
        try (FakeUpstream upstream = new FakeUpstream()) {
            Path file = deploy().resolve("moryflow.provider.openai-filed.cfg");
            Files.writeString(file, "# my company's service\n"
                    + "name = Filed Provider\n"
                    + "baseUrl = " + upstream.baseUrl() + "\n"
                    + "apiKey = " + KEY + "\n"
                    + "models = file-model\n", StandardCharsets.UTF_8);
            awaitProvider("filed");
            awaitKeyStored("filed");
            // FileInstall rewrites the file in place (truncate, then write): wait for the whole new content
            awaitCondition("the key is still in " + file + " or the file lost its other lines", () -> {
                String now = Files.readString(file);
                return !now.contains(KEY) && now.contains("# my company's service")
                        && now.contains(upstream.baseUrl()) && now.contains("file-model");
            });

            assertEquals("Hello from file-model", chatService().chat(ChatRequest.of("file-model", "hi")).content());
            assertEquals("Bearer " + KEY, upstream.take().header("authorization"));
            assertEquals(java.util.List.of(), SecretScan.filesContaining(workDir(), KEY));

            Files.delete(file);
            awaitNoProvider("filed");
            assertFalse(chatService().models().stream().anyMatch(m -> m.model().id().equals("file-model")));
        }
    }

    @Test
    public void typedConfigFileWithAModelListWorksAndChangesApplyWithoutRestart() throws Exception {
        Path file = deploy().resolve("moryflow.provider.openai-typed.config");
        String first = "name=\"Typed\"\nbaseUrl=\"http://127.0.0.1:9/v1\"\nmodels=[\"a-model\",\"b-model\"]\n";
        Files.writeString(file, first, StandardCharsets.UTF_8);
        assertArrayEquals(new String[] { "a-model", "b-model" },
                (String[]) awaitProvider("typed").getProperty(ProviderService.PROVIDER_MODELS));
        // FileInstall (config save on) writes every configuration update back to its file; an edit made before
        // that write-back would be overwritten by it, so edit after it, as a person would
        awaitCondition("FileInstall did not write the configuration back", () -> {
            String now = Files.readString(file);
            return !now.equals(first) && now.contains("baseUrl") && now.contains("b-model");
        });
        String second = "name=\"Typed\"\nbaseUrl=\"http://127.0.0.1:9/v1\"\nmodels=[\"c-model\"]\n";
        Files.writeString(file, second, StandardCharsets.UTF_8);
        // a write-back still under way can overwrite an edit (see the README's design notes); like a person who
        // sees their edit undone, save it again while it has not arrived
        awaitCondition("c-model not routable after the file changed", () -> {
            if (chatService().models().stream().anyMatch(m -> m.qualifiedName().equals("typed/c-model"))) {
                return true;
            }
            if (!Files.readString(file).contains("c-model")) {
                Files.writeString(file, second, StandardCharsets.UTF_8);
            }
            return false;
        });
        // let FileInstall's write-back of this update finish: a file deleted while it writes comes back
        awaitCondition("FileInstall did not write the changed configuration back", () -> {
            String now = Files.readString(file);
            return !now.equals(second) && now.contains("c-model") && now.contains("baseUrl");
        });
        Files.delete(file);
        awaitNoProvider("typed");
    }
}
