package org.imagemanager.event;

public record Reactivate(String actionId, String cloud, String family, String imageId, String imageName) implements ExistingImageAction {
    @Override
    public String describe() {
        return "reactivate '" + imageName + "'";
    }
}
