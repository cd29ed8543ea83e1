package org.imagemanager.definition;

/** A definition together with the place it was read from. */
public record LocatedDefinition(ImageDefinition definition, DefinitionSource source) {
}
