package org.imagemanager.event;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Records of the {@code image-actions} topic: what the planner decided, keyed by {@code cloud/family} so that one
 * image family is always handled in order by one consumer. The action id is deterministic: the same decision made
 * twice has the same id, which is how workers recognise replays.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = ImportImage.class, name = "ImportImage.v1"),
        @JsonSubTypes.Type(value = RenameImage.class, name = "RenameImage.v1"),
        @JsonSubTypes.Type(value = SetVisibility.class, name = "SetVisibility.v1"),
        @JsonSubTypes.Type(value = UpdateProperties.class, name = "UpdateProperties.v1"),
        @JsonSubTypes.Type(value = RemoveProperties.class, name = "RemoveProperties.v1"),
        @JsonSubTypes.Type(value = SetTags.class, name = "SetTags.v1"),
        @JsonSubTypes.Type(value = SetMinimums.class, name = "SetMinimums.v1"),
        @JsonSubTypes.Type(value = SetHidden.class, name = "SetHidden.v1"),
        @JsonSubTypes.Type(value = Deactivate.class, name = "Deactivate.v1"),
        @JsonSubTypes.Type(value = Reactivate.class, name = "Reactivate.v1"),
        @JsonSubTypes.Type(value = DeleteImage.class, name = "DeleteImage.v1"),
        @JsonSubTypes.Type(value = AddImageMember.class, name = "AddImageMember.v1"),
        @JsonSubTypes.Type(value = RemoveImageMember.class, name = "RemoveImageMember.v1"),
        @JsonSubTypes.Type(value = Blocked.class, name = "Blocked.v1"),
})
public sealed interface ImageAction permits ImportImage, ExistingImageAction, Blocked {
    String actionId();

    String cloud();

    /** The definition's name: the family of images the action belongs to. */
    String family();

    default String key() {
        return EventKeys.of(cloud(), family());
    }

    /** One line for logs and summaries. */
    String describe();
}
