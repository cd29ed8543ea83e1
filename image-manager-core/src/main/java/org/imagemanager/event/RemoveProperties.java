package org.imagemanager.event;

import java.util.List;

/** Remove properties we set earlier that the definition no longer has. */
public record RemoveProperties(String actionId, String cloud, String family, String imageId, String imageName,
                               List<String> keys) implements ExistingImageAction {
    public RemoveProperties {
        keys = List.copyOf(keys);
    }

    @Override
    public String describe() {
        return "remove properties of '" + imageName + "': " + keys;
    }
}
