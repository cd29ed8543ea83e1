package org.imagemanager.glance;

import java.util.List;
import java.util.Map;

/**
 * The metadata of an image to be created (always {@code container_format: bare}, created private).
 *
 * @param id a fixed UUID the definition requires, or null for one chosen by Glance
 */
public record NewImage(String id, String name, String diskFormat, int minDisk, int minRam, Map<String, String> properties,
                       List<String> tags) {
    public NewImage {
        properties = Map.copyOf(properties);
        tags = List.copyOf(tags);
    }
}
