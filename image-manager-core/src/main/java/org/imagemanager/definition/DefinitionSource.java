package org.imagemanager.definition;

/** Where a definition was read from: shown in every error and carried in change events. */
public record DefinitionSource(String file, int line, String commit) {
}
