package dev.moryflow.credentials.internal;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * A Config Admin in memory, enough for the steward: configurations by PID, {@code listConfigurations} with
 * {@code (service.pid=glob)} filters and their {@code |}, named and generated factory configurations, updates and
 * deletes (which call back the steward like Config Admin's events would, when one is attached).
 */
final class FakeConfigurationAdmin {

    private static final Pattern PID_TERM = Pattern.compile("\\(service\\.pid=((?:[^)\\\\]|\\\\.)*)\\)");

    final Map<String, Dictionary<String, Object>> configurations = new TreeMap<>();
    final Map<String, String> factories = new TreeMap<>();
    final List<String> deleted = new ArrayList<>();
    ConfigurationSteward steward;

    /** Creates a configuration (as FileInstall or the Web Console would) and tells the steward, if attached. */
    String put(String pid, String factoryPid, Map<String, Object> properties) {
        Hashtable<String, Object> p = new Hashtable<>(properties);
        p.put("service.pid", pid);
        if (factoryPid != null) {
            p.put("service.factoryPid", factoryPid);
            factories.put(pid, factoryPid);
        }
        configurations.put(pid, p);
        if (steward != null) {
            steward.updated(pid);
        }
        return pid;
    }

    /** A configuration the Web Console's "+" button makes: a generated PID. */
    String putGenerated(String factoryPid, Map<String, Object> properties) {
        return put(factoryPid + "." + UUID.randomUUID(), factoryPid, properties);
    }

    Dictionary<String, Object> get(String pid) {
        return configurations.get(pid);
    }

    void delete(String pid) {
        configurations.remove(pid);
        factories.remove(pid);
        deleted.add(pid);
        if (steward != null) {
            steward.deleted(pid);
        }
    }

    ConfigurationAdmin proxy() {
        return (ConfigurationAdmin) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ConfigurationAdmin.class}, (p, method, args) -> {
                    switch (method.getName()) {
                    case "listConfigurations":
                        List<Configuration> found = new ArrayList<>();
                        for (String pid : new ArrayList<>(configurations.keySet())) {
                            if (matches((String) args[0], pid)) {
                                found.add(configuration(pid));
                            }
                        }
                        return found.isEmpty() ? null : found.toArray(new Configuration[0]);
                    case "getFactoryConfiguration":
                        String pid = args[0] + "~" + args[1];
                        factories.put(pid, (String) args[0]);
                        return configuration(pid);
                    default:
                        throw new UnsupportedOperationException(method.getName());
                    }
                });
    }

    private static boolean matches(String filter, String pid) {
        Matcher m = PID_TERM.matcher(filter);
        while (m.find()) {
            String glob = m.group(1).replace("\\(", "(").replace("\\)", ")").replace("\\\\", "\\");
            StringBuilder regex = new StringBuilder();
            for (String part : glob.split("(?<!\\\\)\\*", -1)) {
                if (regex.length() > 0 || glob.startsWith("*")) {
                    regex.append(".*");
                }
                regex.append(Pattern.quote(part.replace("\\*", "*")));
            }
            if (Pattern.matches(glob.equals("*") ? ".*" : regex.toString(), pid)) {
                return true;
            }
        }
        return false;
    }

    private Configuration configuration(String pid) {
        return (Configuration) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Configuration.class}, (p, method, args) -> {
                    switch (method.getName()) {
                    case "getPid":
                        return pid;
                    case "getFactoryPid":
                        return factories.get(pid);
                    case "getProperties":
                        Dictionary<String, Object> d = configurations.get(pid);
                        return d == null ? null : new Hashtable<>(Collections.list(d.keys()).stream()
                                .collect(java.util.stream.Collectors.toMap(k -> k, d::get)));
                    case "update":
                    case "updateIfDifferent":
                        @SuppressWarnings("unchecked")
                        Dictionary<String, Object> next = (Dictionary<String, Object>) args[0];
                        Map<String, Object> copy = new java.util.HashMap<>();
                        for (String k : Collections.list(next.keys())) {
                            copy.put(k, next.get(k));
                        }
                        Dictionary<String, Object> before = configurations.get(pid);
                        if ("updateIfDifferent".equals(method.getName()) && before != null
                                && sameAs(before, copy, pid)) {
                            return Boolean.FALSE;
                        }
                        put(pid, factories.get(pid), copy);
                        return "updateIfDifferent".equals(method.getName()) ? Boolean.TRUE : null;
                    case "delete":
                        delete(pid);
                        return null;
                    case "hashCode":
                        return pid.hashCode();
                    case "equals":
                        return p == args[0];
                    case "toString":
                        return "Configuration " + pid;
                    default:
                        throw new UnsupportedOperationException(method.getName());
                    }
                });
    }

    private boolean sameAs(Dictionary<String, Object> before, Map<String, Object> next, String pid) {
        Map<String, Object> a = new java.util.HashMap<>();
        for (String k : Collections.list(before.keys())) {
            if (!k.equals("service.pid") && !k.equals("service.factoryPid")) {
                a.put(k, before.get(k));
            }
        }
        Map<String, Object> b = new java.util.HashMap<>(next);
        b.remove("service.pid");
        b.remove("service.factoryPid");
        return a.keySet().equals(b.keySet()) && a.keySet().stream().allMatch(k -> java.util.Objects.deepEquals(
                a.get(k), b.get(k)));
    }
}
