package org.imagemanager.definitions.publish;

import org.imagemanager.definition.DefinitionError;
import org.imagemanager.definition.LocatedDefinition;

import java.util.List;

/**
 * What one commit of a repository changes in the published state.
 *
 * @param changed   definitions added or changed (content or file): one {@code DefinitionChanged} each
 * @param removed   definitions of this repository that the commit no longer has: a removal and a tombstone each
 * @param conflicts images the commit defines that another repository already publishes: the commit is rejected
 */
public record DefinitionChanges(List<LocatedDefinition> changed, List<PublishedDefinition> removed,
                                List<String> unchanged, List<DefinitionError> conflicts) {
    public DefinitionChanges {
        changed = List.copyOf(changed);
        removed = List.copyOf(removed);
        unchanged = List.copyOf(unchanged);
        conflicts = List.copyOf(conflicts);
    }

    public List<String> changedNames() {
        return changed.stream().map(d -> d.definition().name()).toList();
    }

    public List<String> removedNames() {
        return removed.stream().map(PublishedDefinition::name).toList();
    }

    public boolean isEmpty() {
        return changed.isEmpty() && removed.isEmpty();
    }
}
