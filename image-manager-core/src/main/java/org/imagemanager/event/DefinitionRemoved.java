package org.imagemanager.event;

import org.imagemanager.definition.DefinitionSource;
import org.imagemanager.definition.ImageDefinition;

import java.time.Instant;

/**
 * An image's definition disappeared from its repository at {@code commit}. Carries the last definition that was in
 * force, since the tombstone that follows it on the compacted topic carries nothing.
 */
public record DefinitionRemoved(String eventId, Instant time, ImageDefinition lastDefinition,
                                DefinitionSource lastSource, String repository, String commit)
        implements DefinitionEvent {
    @Override
    public String imageName() {
        return lastDefinition.name();
    }
}
