package org.imagemanager.event;

/** An action on an image that exists: everything the rotator carries out. */
public sealed interface ExistingImageAction extends ImageAction permits RenameImage, SetVisibility, UpdateProperties,
        RemoveProperties, SetTags, SetMinimums, SetHidden, Deactivate, Reactivate, DeleteImage, AddImageMember, RemoveImageMember {
    String imageId();
}
