package org.imagemanager.event;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.time.Instant;

/**
 * Records of the compacted {@code image-definitions} topic, keyed by image name. A removal is a
 * {@link DefinitionRemoved} followed by a tombstone (null value) under the same key.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = DefinitionChanged.class, name = "DefinitionChanged.v1"),
        @JsonSubTypes.Type(value = DefinitionRemoved.class, name = "DefinitionRemoved.v1"),
})
public sealed interface DefinitionEvent permits DefinitionChanged, DefinitionRemoved {
    String eventId();

    Instant time();

    /** Record key. */
    String imageName();
}
