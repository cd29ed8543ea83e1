package org.imagemanager.event;

/** Change the visibility of one image; applied only while it still has {@code from}. */
public record SetVisibility(String actionId, String cloud, String family, String imageId, String imageName,
                            String from, String to) implements ExistingImageAction {
    @Override
    public String describe() {
        return "visibility of '" + imageName + "' " + from + " -> " + to;
    }
}
