package org.imagemanager.event;

/**
 * Share a {@code shared} image with a project: make the project a member and, with {@code accept}, accept on its
 * behalf, so that the image shows up in the project's image list (a pending member only boots it by id).
 *
 * @param from the member's status when planned ({@code pending}, {@code rejected}), null when it was no member
 */
public record AddImageMember(String actionId, String cloud, String family, String imageId, String imageName,
                             String projectId, String from, boolean accept) implements ExistingImageAction {
    @Override
    public String describe() {
        return from == null
                ? "share '" + imageName + "' with project " + projectId + (accept ? " (accepted on its behalf)" : "")
                : "accept '" + imageName + "' on behalf of project " + projectId + " (" + from + ")";
    }
}
