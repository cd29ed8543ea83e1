package org.imagemanager.event;

/** Set {@code min_disk} (GiB) and {@code min_ram} (MiB). */
public record SetMinimums(String actionId, String cloud, String family, String imageId, String imageName,
                          int minDisk, int minRam) implements ExistingImageAction {
    @Override
    public String describe() {
        return "minimums of '" + imageName + "': min_disk " + minDisk + " GiB, min_ram " + minRam + " MiB";
    }
}
