package org.imagemanager.event;

import java.util.List;
import java.util.Map;

/**
 * Create a Glance image for one version and fill it with the bytes from {@code mirrorUrl} (when given, falling back
 * to {@code url}), verified against {@code checksum} (or the digest behind {@code checksumUrl}/{@code checksumsUrl}).
 * The image is created private; the plan sets visibility and the rest once it is active.
 *
 * @param fixedId a UUID the definition requires for the image, or null
 */
public record ImportImage(
        String actionId,
        String cloud,
        String family,
        String version,
        String imageName,
        String url,
        String mirrorUrl,
        String checksum,
        String checksumUrl,
        String checksumsUrl,
        String diskFormat,
        int minDisk,
        int minRam,
        Map<String, String> properties,
        List<String> tags,
        String fixedId) implements ImageAction {

    public ImportImage {
        properties = Map.copyOf(properties);
        tags = List.copyOf(tags);
    }

    @Override
    public String describe() {
        return "import '" + imageName + "' from " + (mirrorUrl != null ? mirrorUrl : url);
    }
}
