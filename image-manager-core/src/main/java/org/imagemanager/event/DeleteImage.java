package org.imagemanager.event;

/** Delete a retired image; only ever planned with the explicit confirmation option. */
public record DeleteImage(String actionId, String cloud, String family, String imageId, String imageName, String reason)
        implements ExistingImageAction {
    @Override
    public String describe() {
        return "delete '" + imageName + "' (" + reason + ")";
    }
}
