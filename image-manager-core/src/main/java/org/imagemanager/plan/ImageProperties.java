package org.imagemanager.plan;

import org.imagemanager.definition.ImageDefinition;
import org.imagemanager.definition.VersionDefinition;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/** The properties (SCS image standard plus our bookkeeping) that a managed image of one version carries. */
public final class ImageProperties {
    /** The definition name an image belongs to: how the planner finds a family's images again. */
    public static final String FAMILY = "image_manager_family";
    /** The deterministic id of the import that made the image: how a replayed import finds its own work. */
    public static final String IMPORT_ID = "image_manager_import_id";
    public static final String INTERNAL_VERSION = "internal_version";

    private ImageProperties() {
    }

    public static Map<String, String> forVersion(ImageDefinition definition, VersionDefinition version) {
        Map<String, String> properties = new LinkedHashMap<>();
        definition.meta().forEach((k, v) -> putIfPresent(properties, k, v));
        version.meta().forEach((k, v) -> putIfPresent(properties, k, v));
        properties.putIfAbsent("image_description",
                version.imageDescription() != null ? version.imageDescription() : definition.name());
        properties.putIfAbsent("image_name", definition.name());
        putIfPresent(properties, "image_source", sourceOf(version.url()));
        putIfPresent(properties, "image_build_date", version.buildDate());
        putIfPresent(properties, "image_original_user", definition.login());
        properties.put(INTERNAL_VERSION, version.version());
        String osVersion = definition.hasRotatingName()
                ? (version.osVersion() != null ? version.osVersion() : stringOrNull(definition.meta().get("os_version")))
                : version.version();
        putIfPresent(properties, "os_version", osVersion);
        properties.put(FAMILY, definition.name());
        return properties;
    }

    /** The reference records the upstream URL; a {@code file:} URL is cut to its file name (a local path means nothing to users). */
    static String sourceOf(String url) {
        if (url == null) {
            return null;
        }
        if (url.startsWith("file:")) {
            String path = URI.create(url).getPath();
            return path.substring(path.lastIndexOf('/') + 1);
        }
        return url;
    }

    private static void putIfPresent(Map<String, String> properties, String key, Object value) {
        if (value != null) {
            properties.put(key, String.valueOf(value));
        }
    }

    private static String stringOrNull(Object value) {
        return value == null ? null : String.valueOf(value);
    }
}
