package org.imagemanager.definitions.publish;

import org.imagemanager.definition.DefinitionSource;
import org.imagemanager.definition.ImageDefinition;

/** A definition as the {@code image-definitions} topic holds it now: what consumers see as in force. */
public record PublishedDefinition(ImageDefinition definition, DefinitionSource source, String repository) {
    public String name() {
        return definition.name();
    }
}
