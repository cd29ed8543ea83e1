package org.imagemanager.event;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** Records of the compacted {@code image-definitions} topic, keyed by image name. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = DefinitionChanged.class, name = "DefinitionChanged.v1"),
})
public sealed interface DefinitionEvent permits DefinitionChanged {
    String imageName();
}
