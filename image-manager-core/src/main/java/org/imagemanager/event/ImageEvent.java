package org.imagemanager.event;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.time.Instant;

/** Records of the {@code image-events} topic: everything that happened, for monitoring and for re-planning. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = DefinitionsPublished.class, name = "DefinitionsPublished.v1"),
        @JsonSubTypes.Type(value = DefinitionsRejected.class, name = "DefinitionsRejected.v1"),
        @JsonSubTypes.Type(value = PlanComputed.class, name = "PlanComputed.v1"),
        @JsonSubTypes.Type(value = ImportStarted.class, name = "ImportStarted.v1"),
        @JsonSubTypes.Type(value = ImportProgress.class, name = "ImportProgress.v1"),
        @JsonSubTypes.Type(value = ImportCompleted.class, name = "ImportCompleted.v1"),
        @JsonSubTypes.Type(value = ImportFailed.class, name = "ImportFailed.v1"),
        @JsonSubTypes.Type(value = ImageChanged.class, name = "ImageChanged.v1"),
        @JsonSubTypes.Type(value = ActionSkipped.class, name = "ActionSkipped.v1"),
        @JsonSubTypes.Type(value = ActionFailed.class, name = "ActionFailed.v1"),
        @JsonSubTypes.Type(value = LeftAlone.class, name = "LeftAlone.v1"),
})
public sealed interface ImageEvent permits DefinitionsPublished, DefinitionsRejected, PlanComputed, ImportStarted, ImportProgress,
        ImportCompleted, ImportFailed,
        ImageChanged, ActionSkipped, ActionFailed, LeftAlone {
    String eventId();

    Instant time();

    /** Record key: {@code cloud/family}, or the source for events that concern no single image. */
    String key();
}
