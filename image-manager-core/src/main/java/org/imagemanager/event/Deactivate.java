package org.imagemanager.event;

/** Deactivate the image (no new servers from it; existing ones keep running). */
public record Deactivate(String actionId, String cloud, String family, String imageId, String imageName, String reason)
        implements ExistingImageAction {
    @Override
    public String describe() {
        return "deactivate '" + imageName + "' (" + reason + ")";
    }
}
