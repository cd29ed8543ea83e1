package org.imagemanager.event;

/** Stop sharing a managed image with a project the share options no longer name. */
public record RemoveImageMember(String actionId, String cloud, String family, String imageId, String imageName,
                                String projectId) implements ExistingImageAction {
    @Override
    public String describe() {
        return "stop sharing '" + imageName + "' with project " + projectId;
    }
}
