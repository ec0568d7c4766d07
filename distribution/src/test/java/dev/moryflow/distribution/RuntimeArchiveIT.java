package dev.moryflow.distribution;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.Test;

/** target/moryflow-&lt;version&gt;.tar.gz: the runtime under one folder, executable start script, no user files. */
public class RuntimeArchiveIT {

    @Test
    public void archiveHoldsTheRuntimeWithAnExecutableStartScriptAndNoUserFiles() throws IOException {
        Path archive = TestPaths.fromProperty("moryflow.archive");
        Path runtime = TestPaths.fromProperty("moryflow.dir");
        assertTrue("no archive at " + archive, Files.isRegularFile(archive));
        String root = runtime.getFileName().toString() + "/";
        Map<String, TarGz.Entry> entries = TarGz.list(archive);

        List<String> outside = entries.keySet().stream()
                .filter(name -> !name.startsWith(root) && !name.equals(root.substring(0, root.length() - 1)))
                .toList();
        assertEquals("every entry is under " + root, List.of(), outside);

        TarGz.Entry start = entries.get(root + "bin/moryflow");
        assertTrue("the archive lacks bin/moryflow", start != null);
        assertEquals("bin/moryflow mode", "755", Integer.toOctalString(start.mode()));

        Set<String> files = new TreeSet<>();
        for (String name : TarGz.names(entries, false)) {
            files.add(name.substring(root.length()));
        }
        List<String> userFiles = files.stream()
                .filter(f -> f.startsWith("data/") || (f.startsWith("deploy/") && !f.endsWith(".example")))
                .toList();
        assertEquals("the archive ships no data/ and only *.example files in deploy/", List.of(), userFiles);

        Set<String> expected;
        try (Stream<Path> walk = Files.walk(runtime)) {
            expected = walk.filter(Files::isRegularFile).map(p -> runtime.relativize(p).toString().replace('\\', '/'))
                    .filter(f -> !f.startsWith("data/") && !(f.startsWith("deploy/") && !f.endsWith(".example")))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals("the archive holds the files of " + runtime, expected, files);
    }
}
