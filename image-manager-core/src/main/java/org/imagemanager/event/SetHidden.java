package org.imagemanager.event;

/** Set {@code os_hidden} (hidden images are not listed unless asked for, but stay bootable). */
public record SetHidden(String actionId, String cloud, String family, String imageId, String imageName, boolean hidden)
        implements ExistingImageAction {
    @Override
    public String describe() {
        return (hidden ? "hide '" : "unhide '") + imageName + "' (os_hidden)";
    }
}
