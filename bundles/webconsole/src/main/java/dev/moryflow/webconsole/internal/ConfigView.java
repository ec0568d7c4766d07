package dev.moryflow.webconsole.internal;

import java.util.Dictionary;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;

import org.osgi.service.cm.Configuration;

/**
 * A copy of one Config Admin configuration's identity and properties, so that the table is built from plain values.
 *
 * @param pid        the PID
 * @param factoryPid the factory PID, or null
 * @param properties the properties (empty when the configuration has none yet)
 */
record ConfigView(String pid, String factoryPid, Map<String, Object> properties) {

    static ConfigView of(Configuration c) {
        Map<String, Object> m = new HashMap<>();
        Dictionary<String, Object> d = c.getProperties();
        if (d != null) {
            for (Enumeration<String> e = d.keys(); e.hasMoreElements();) {
                String k = e.nextElement();
                m.put(k, d.get(k));
            }
        }
        return new ConfigView(c.getPid(), c.getFactoryPid(), Map.copyOf(m));
    }

    /** @return the property as a trimmed, non-empty string, or null */
    String string(String key) {
        Object v = properties.get(key);
        if (v == null) {
            return null;
        }
        String s = String.valueOf(v).trim();
        return s.isEmpty() ? null : s;
    }

    /** @return whether {@code enabled} is false (a Boolean or the text {@code false}) */
    boolean disabled() {
        Object v = properties.get("enabled");
        return Boolean.FALSE.equals(v) || "false".equalsIgnoreCase(String.valueOf(v).trim());
    }
}
