package org.imagemanager.definitions;

import org.imagemanager.definition.LocatedDefinition;

import java.util.List;

/** All definitions of one state of the repository (a commit) or folder. */
public record DefinitionSnapshot(String source, String revision, List<LocatedDefinition> definitions) {
    public DefinitionSnapshot {
        definitions = List.copyOf(definitions);
    }
}
