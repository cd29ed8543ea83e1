package org.imagemanager.event;

import java.util.List;
import java.util.Map;

/** Create a Glance image for one version and fill it with the bytes from {@code url}, verified against {@code checksum}. */
public record ImportImage(
        String actionId,
        String cloud,
        String family,
        String version,
        String imageName,
        String url,
        String checksum,
        String diskFormat,
        int minDisk,
        int minRam,
        Map<String, String> properties,
        List<String> tags) implements ImageAction {

    public ImportImage {
        properties = Map.copyOf(properties);
        tags = List.copyOf(tags);
    }

    @Override
    public String describe() {
        return "import '" + imageName + "' from " + url;
    }
}
