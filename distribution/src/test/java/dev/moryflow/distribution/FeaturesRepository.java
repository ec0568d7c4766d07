package dev.moryflow.distribution;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * A Karaf features repository (features/src/main/feature/features.xml once filtered), read with the JDK's DOM
 * parser: its features, their bundles and the features they include. Problems of the file itself (wrong
 * namespace, a feature that includes an undefined one, a bundle that is not a {@code mvn:} URL, a {@code ${...}}
 * the build did not fill in) are collected in {@link #problems()}.
 */
final class FeaturesRepository {

    static final String NAMESPACE = "http://karaf.apache.org/xmlns/features/v1.6.0";

    /** One {@code <bundle>} of a feature. */
    record BundleRef(String url, String feature, int startLevel) {

        /**
         * @return the file name Maven's copy-dependencies gives the artifact of a
         *         {@code mvn:group/artifact/version[/type[/classifier]]} URL, or null if the URL is not one
         */
        String fileName() {
            if (!url.startsWith("mvn:")) {
                return null;
            }
            String[] parts = url.substring("mvn:".length()).split("/");
            if (parts.length < 3 || parts.length > 5) {
                return null;
            }
            String type = parts.length > 3 && !parts[3].isEmpty() ? parts[3] : "jar";
            String classifier = parts.length > 4 && !parts[4].isEmpty() ? "-" + parts[4] : "";
            return parts[1] + "-" + parts[2] + classifier + "." + type;
        }
    }

    private final Map<String, List<BundleRef>> bundles = new LinkedHashMap<>();
    private final Map<String, List<String>> includes = new LinkedHashMap<>();
    private final Map<String, Set<String>> containerFeatures = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();

    private FeaturesRepository() {
    }

    static FeaturesRepository parse(Path xml) throws IOException {
        try (InputStream in = Files.newInputStream(xml)) {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            DocumentBuilder builder = factory.newDocumentBuilder();
            Element root = builder.parse(in).getDocumentElement();
            FeaturesRepository repository = new FeaturesRepository();
            repository.read(root, xml);
            return repository;
        } catch (ParserConfigurationException | SAXException e) {
            throw new IOException(xml + " is not a well-formed features file: " + e.getMessage(), e);
        }
    }

    private void read(Element root, Path xml) {
        if (!"features".equals(root.getLocalName()) || !NAMESPACE.equals(root.getNamespaceURI())) {
            problems.add(xml + ": root element must be <features xmlns=\"" + NAMESPACE + "\">, found <"
                    + root.getTagName() + "> in namespace " + root.getNamespaceURI());
        }
        for (Element feature : children(root, "feature")) {
            String name = feature.getAttribute("name");
            if (bundles.containsKey(name)) {
                problems.add("feature '" + name + "' is defined twice");
            }
            List<BundleRef> own = new ArrayList<>();
            List<String> included = new ArrayList<>();
            for (Element bundle : children(feature, "bundle")) {
                String url = bundle.getTextContent().trim();
                int startLevel = 0;
                String level = bundle.getAttribute("start-level");
                if (!level.isEmpty()) {
                    try {
                        startLevel = Integer.parseInt(level);
                    } catch (NumberFormatException e) {
                        problems.add("feature '" + name + "': start-level '" + level + "' of " + url + " is not a number");
                    }
                }
                BundleRef ref = new BundleRef(url, name, startLevel);
                if (url.contains("${")) {
                    problems.add("feature '" + name + "': " + url + " has a ${...} the build did not fill in:"
                            + " define that property in the parent pom");
                } else if (ref.fileName() == null) {
                    problems.add("feature '" + name + "': " + url + " is not a mvn:group/artifact/version URL");
                }
                own.add(ref);
            }
            Set<String> dependencies = new LinkedHashSet<>();
            for (Element include : children(feature, "feature")) {
                included.add(include.getTextContent().trim());
                if ("true".equals(include.getAttribute("dependency"))) {
                    dependencies.add(include.getTextContent().trim());
                }
            }
            containerFeatures.put(name, dependencies);
            bundles.put(name, own);
            includes.put(name, included);
        }
        for (Map.Entry<String, List<String>> entry : includes.entrySet()) {
            for (String included : entry.getValue()) {
                if (!bundles.containsKey(included) && !containerFeatures.get(entry.getKey()).contains(included)) {
                    problems.add("feature '" + entry.getKey() + "' includes feature '" + included
                            + "', which features.xml does not define (a container's feature, such as Karaf's scr, "
                            + "is included with dependency=\"true\")");
                }
            }
        }
    }

    private static List<Element> children(Element parent, String localName) {
        List<Element> result = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node node = nodes.item(i);
            if (node instanceof Element element && localName.equals(element.getLocalName())) {
                result.add(element);
            }
        }
        return result;
    }

    Set<String> featureNames() {
        return Collections.unmodifiableSet(bundles.keySet());
    }

    /** @return whether the feature is defined */
    boolean has(String feature) {
        return bundles.containsKey(feature);
    }

    /** @return the features that the feature includes itself (not recursively) */
    List<String> includesOf(String feature) {
        return includes.getOrDefault(feature, List.of());
    }

    /**
     * @param feature a feature name
     * @return the names of the feature and of every feature it includes, recursively (cycles are tolerated)
     */
    Set<String> closure(String feature) {
        Set<String> seen = new LinkedHashSet<>();
        collect(feature, seen);
        return seen;
    }

    private void collect(String feature, Set<String> seen) {
        if (!bundles.containsKey(feature) || !seen.add(feature)) {
            return;
        }
        for (String included : includes.get(feature)) {
            collect(included, seen);
        }
    }

    /**
     * @param features feature names
     * @return the bundles these features list themselves (not those of included features), by URL; when two
     *         features list one URL, the first one found is kept
     */
    Map<String, BundleRef> bundlesOf(Set<String> features) {
        Map<String, BundleRef> result = new LinkedHashMap<>();
        for (String feature : features) {
            for (BundleRef ref : bundles.getOrDefault(feature, List.of())) {
                result.putIfAbsent(ref.url(), ref);
            }
        }
        return result;
    }

    List<String> problems() {
        return Collections.unmodifiableList(problems);
    }
}
