package dev.moryflow.shell.internal;

import java.io.IOException;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import dev.moryflow.provider.KeyState;
import dev.moryflow.provider.Preset;
import dev.moryflow.provider.PresetCatalog;
import dev.moryflow.provider.ProviderIds;
import dev.moryflow.provider.ProviderInfo;
import dev.moryflow.provider.ProviderService;

/** {@code moryflow:presets}: every preset of the catalog and what it needs before it can be used. */
@Component(service = PresetCommands.class, property = {
        "osgi.command.scope=moryflow",
        "osgi.command.function=presets" })
public class PresetCommands {

    static final String PROVIDER_PID = "moryflow.provider.openai";

    private final PresetCatalog catalog;
    private final ConfigurationAdmin configAdmin;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<ProviderService> providers = List.of();

    @Activate
    public PresetCommands(@Reference PresetCatalog catalog, @Reference ConfigurationAdmin configAdmin) {
        this.catalog = catalog;
        this.configAdmin = configAdmin;
    }

    @Descriptor("list the presets (well-known services) with their status: ready, needs key, needs setup, disabled or removed")
    public void presets() throws IOException, InvalidSyntaxException {
        Printed.print(presetTable());
    }

    /** @return what {@code moryflow:presets} prints */
    String presetTable() throws IOException, InvalidSyntaxException {
        Map<String, Dictionary<String, Object>> configs = new HashMap<>();
        Configuration[] all = configAdmin.listConfigurations("(service.factoryPid=" + PROVIDER_PID + ")");
        for (Configuration c : all == null ? new Configuration[0] : all) {
            Dictionary<String, Object> p = c.getProperties();
            if (p == null) {
                continue;
            }
            Object preset = p.get("preset");
            String id = ProviderIds.of(c.getPid());
            if (preset instanceof String || id != null) {
                configs.put(preset instanceof String ? (String) preset : id, p);
            }
        }
        Map<String, ProviderInfo> infos = new HashMap<>();
        for (ProviderService s : providers) {
            ProviderInfo i = s.info();
            infos.put(i.preset() != null ? i.preset() : i.id(), i);
        }
        return table(catalog.presets(), configs, infos);
    }

    static String table(List<Preset> presets, Map<String, Dictionary<String, Object>> configs,
            Map<String, ProviderInfo> infos) {
        // the status, the longest text, comes last: it wraps onto continuation lines to fit 100 columns
        TextTable t = new TextTable("PRESET", "NAME", "MODELS", "BASE URL", "STATUS");
        for (Preset p : presets) {
            Dictionary<String, Object> c = configs.get(p.id());
            ProviderInfo info = infos.get(p.id());
            t.row(p.id(), p.name(), p.models().isEmpty() ? "any" : p.models().size(),
                    shortUrl(c == null ? p.baseUrl() : String.valueOf(c.get("baseUrl"))), status(p, c, info));
        }
        return t.toString();
    }

    /** @return the URL, or its origin and "/…" when it is longer than 48 characters (moryflow:providers has all) */
    static String shortUrl(String url) {
        if (url.length() <= 48) {
            return url;
        }
        String origin = dev.moryflow.credentials.Origins.of(url);
        return origin == null ? url.substring(0, 47) + "…" : origin + "/…";
    }

    /**
     * @param p    the preset
     * @param c    its configuration, or null when there is none
     * @param info its registered provider, or null
     * @return what the preset needs, in words
     */
    static String status(Preset p, Dictionary<String, Object> c, ProviderInfo info) {
        if (c == null) {
            return "removed (not made again; to get it back, remove " + p.id() + " from \"Presets made\" of "
                    + "MoryFlow presets in the Web Console)";
        }
        if ("false".equalsIgnoreCase(String.valueOf(c.get("enabled")))) {
            return p.template() && String.valueOf(c.get("baseUrl")).contains("YOUR-")
                    ? "needs setup: " + p.setup() : "disabled (enabled = false)";
        }
        if (info == null) {
            return "refused: the configuration has an error (see the log)";
        }
        if (info.transport() == dev.moryflow.provider.Transport.INSECURE_REFUSED) {
            return "refused: plain http:// to another machine (use https://, or allowInsecure = true)";
        }
        if (info.keyState() == KeyState.HELD) {
            return info.keyStatus() + ": moryflow:key-confirm " + info.id() + " or moryflow:key-set " + info.id();
        }
        if (info.keyState() == KeyState.MISSING) {
            return "needs key: " + (p.apiKeyEnv() == null ? "" : "export " + p.apiKeyEnv() + " before start, or ")
                    + "moryflow:key-set " + info.id();
        }
        return info.keyState() == KeyState.NOT_REQUIRED ? "ready (no key needed)" : "ready";
    }
}
