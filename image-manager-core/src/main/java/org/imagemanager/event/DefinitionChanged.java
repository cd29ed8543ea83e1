package org.imagemanager.event;

import org.imagemanager.definition.DefinitionSource;
import org.imagemanager.definition.ImageDefinition;

import java.time.Instant;

/**
 * The full, validated definition of one image as of a commit: published when it was added or changed.
 *
 * @param repository the configured repository it comes from (image names are unique across repositories); null
 *                   for definitions published straight from a folder by the launcher
 */
public record DefinitionChanged(String eventId, Instant time, ImageDefinition definition, DefinitionSource source,
                                String repository) implements DefinitionEvent {
    public DefinitionChanged(String eventId, Instant time, ImageDefinition definition, DefinitionSource source) {
        this(eventId, time, definition, source, null);
    }

    @Override
    public String imageName() {
        return definition.name();
    }
}
