package org.imagemanager.event;

import org.imagemanager.definition.DefinitionSource;
import org.imagemanager.definition.ImageDefinition;

import java.time.Instant;

/** The full, validated definition of one image as of a commit. */
public record DefinitionChanged(String eventId, Instant time, ImageDefinition definition, DefinitionSource source)
        implements DefinitionEvent {
    @Override
    public String imageName() {
        return definition.name();
    }
}
