package org.imagemanager.plan;

import org.imagemanager.definition.ImageDefinition;
import org.imagemanager.definition.VersionDefinition;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The properties (SCS image standard plus our bookkeeping) that a managed image of one version carries. */
public final class ImageProperties {
    /** The definition name an image belongs to: how the planner finds a family's images again. */
    public static final String FAMILY = "image_manager_family";
    /** The deterministic id of the import that made the image: how a replayed import finds its own work. */
    public static final String IMPORT_ID = "image_manager_import_id";
    /**
     * The property keys we set, comma-separated (split over {@code image_manager_keys}, {@code image_manager_keys_2},
     * … because Glance limits a value to 255 characters). They let us remove a property the definition dropped,
     * without ever touching one an operator set by hand.
     */
    public static final String MANAGED_KEYS = "image_manager_keys";
    /**
     * Set while an import runs, removed once Glance's copy is verified. Glance marks an upload whose connection simply
     * ends (an importer killed mid-stream) as active with the bytes it got: an image still carrying this mark is
     * never taken as done, whatever its status.
     */
    public static final String PENDING = "image_manager_pending";
    public static final String INTERNAL_VERSION = "internal_version";
    public static final String UPSTREAM_CHECKSUM = "upstream_checksum";
    public static final String IMAGE_DESCRIPTION = "image_description";
    public static final String UUID_VALIDITY = "uuid_validity";
    private static final int MAX_VALUE = 255;

    private ImageProperties() {
    }

    /**
     * The defined properties of one version's image: image meta, then version meta over it, then the SCS keys.
     *
     * @param internalVersion the version string, or for {@code latest} the upstream build day (YYYYMMDD)
     */
    public static Map<String, String> forVersion(ImageDefinition definition, VersionDefinition version, String internalVersion) {
        Map<String, String> properties = new LinkedHashMap<>();
        definition.meta().forEach((k, v) -> putIfPresent(properties, k, v));
        version.meta().forEach((k, v) -> putIfPresent(properties, k, v));
        if (version.imageDescription() != null) {
            properties.put(IMAGE_DESCRIPTION, version.imageDescription());
        }
        properties.putIfAbsent(IMAGE_DESCRIPTION, definition.name());
        properties.putIfAbsent("image_name", definition.name());
        putIfPresent(properties, "image_source", sourceOf(version.url()));
        putIfPresent(properties, "image_build_date", version.buildDate());
        putIfPresent(properties, "image_original_user", definition.login());
        properties.put(INTERNAL_VERSION, internalVersion);
        String osVersion;
        if (version.osVersion() != null) {
            osVersion = version.osVersion();
        } else if (definition.hasRotatingName()) {
            // the product version (e.g. Ubuntu 24.04) lives in meta; the version list holds build dates
            osVersion = properties.get("os_version");
        } else {
            osVersion = version.version();
        }
        putIfPresent(properties, "os_version", osVersion);
        return properties;
    }

    /** The family a managed image belongs to: our property, else (images the reference tool made) its description. */
    public static String familyOf(ObservedImage image) {
        String family = image.property(FAMILY);
        return family != null ? family : image.property(IMAGE_DESCRIPTION);
    }

    /** The bookkeeping properties that record which keys we manage. */
    public static Map<String, String> managedKeysProperties(Set<String> keys) {
        Map<String, String> properties = new LinkedHashMap<>();
        List<String> chunks = new ArrayList<>();
        StringBuilder chunk = new StringBuilder();
        for (String key : new TreeSet<>(keys)) {
            if (chunk.length() + key.length() + 1 > MAX_VALUE) {
                chunks.add(chunk.toString());
                chunk.setLength(0);
            }
            if (!chunk.isEmpty()) {
                chunk.append(',');
            }
            chunk.append(key);
        }
        chunks.add(chunk.toString());
        for (int i = 0; i < chunks.size(); i++) {
            properties.put(i == 0 ? MANAGED_KEYS : MANAGED_KEYS + "_" + (i + 1), chunks.get(i));
        }
        return properties;
    }

    /** The keys an image's bookkeeping says we set (empty for images we never touched). */
    public static Set<String> managedKeys(ObservedImage image) {
        Set<String> keys = new TreeSet<>();
        for (int i = 1; ; i++) {
            String value = image.property(i == 1 ? MANAGED_KEYS : MANAGED_KEYS + "_" + i);
            if (value == null) {
                return keys;
            }
            for (String key : value.split(",")) {
                if (!key.isBlank()) {
                    keys.add(key);
                }
            }
        }
    }

    /**
     * The {@code upstream_checksum} value for an upstream digest ({@code algo:hex}): the bare lowercase hex, because
     * that is what the reference tool writes. Images either tool imported then count as the same upstream build.
     */
    public static String upstreamChecksumValue(String checksum) {
        return hexOf(checksum);
    }

    /**
     * Whether a stored {@code upstream_checksum} names the upstream digest {@code checksum}. Both forms are read: the
     * reference tool's bare hex and the {@code algo:hex} we wrote before (such an image is rewritten to the bare form
     * by the properties update, never imported again). The hex is compared case-insensitively, the algorithm only
     * when both name one.
     */
    public static boolean sameUpstream(String checksum, String stored) {
        if (checksum == null || stored == null) {
            return false;
        }
        String algorithm = algorithmOf(checksum);
        String storedAlgorithm = algorithmOf(stored);
        return hexOf(checksum).equals(hexOf(stored))
                && (algorithm == null || storedAlgorithm == null || algorithm.equals(storedAlgorithm));
    }

    private static String algorithmOf(String checksum) {
        int colon = checksum.indexOf(':');
        return colon < 0 ? null : checksum.substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT);
    }

    private static String hexOf(String checksum) {
        return checksum.substring(checksum.indexOf(':') + 1).trim().toLowerCase(java.util.Locale.ROOT);
    }

    /** Usable and verified: active or deactivated, and not left half-verified by an interrupted import. */
    public static boolean verifiedAndUsable(ObservedImage image) {
        return image.usable() && image.property(PENDING) == null;
    }

    public static boolean isBookkeeping(String key) {
        return key.equals(FAMILY) || key.equals(IMPORT_ID) || key.equals(PENDING) || key.startsWith(MANAGED_KEYS);
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
}
