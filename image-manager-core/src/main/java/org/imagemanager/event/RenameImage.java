package org.imagemanager.event;

/** Rename one image; applied only while the image is still called {@code fromName}. */
public record RenameImage(String actionId, String cloud, String family, String imageId, String fromName, String toName)
        implements ExistingImageAction {
    @Override
    public String describe() {
        return "rename '" + fromName + "' -> '" + toName + "'";
    }
}
