package org.imagemanager.event;

import java.util.Map;

/** Set (add or change) properties; applied only to the image with this id, and only where values still differ. */
public record UpdateProperties(String actionId, String cloud, String family, String imageId, String imageName,
                               Map<String, String> set) implements ExistingImageAction {
    public UpdateProperties {
        set = Map.copyOf(set);
    }

    @Override
    public String describe() {
        return "set properties of '" + imageName + "': " + new java.util.TreeMap<>(set).keySet();
    }
}
