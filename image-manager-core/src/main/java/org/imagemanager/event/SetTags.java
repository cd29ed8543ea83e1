package org.imagemanager.event;

import java.util.List;

/** Add and remove tags so that the image carries exactly the defined ones. */
public record SetTags(String actionId, String cloud, String family, String imageId, String imageName,
                      List<String> add, List<String> remove) implements ExistingImageAction {
    public SetTags {
        add = List.copyOf(add);
        remove = List.copyOf(remove);
    }

    @Override
    public String describe() {
        return "tags of '" + imageName + "': +" + add + " -" + remove;
    }
}
