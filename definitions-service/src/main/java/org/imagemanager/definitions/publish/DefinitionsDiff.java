package org.imagemanager.definitions.publish;

import org.imagemanager.definition.DefinitionError;
import org.imagemanager.definition.LocatedDefinition;
import org.imagemanager.event.EventJson;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The changes a repository's new tree makes to the <em>published</em> state (not to the parent commit): so a
 * force-push, a merge or several commits in one push all come out right, and a commit seen twice changes nothing.
 */
public final class DefinitionsDiff {
    private DefinitionsDiff() {
    }

    public static DefinitionChanges between(String repository, PublishedView published, List<LocatedDefinition> tree) {
        List<LocatedDefinition> changed = new ArrayList<>();
        List<String> unchanged = new ArrayList<>();
        List<DefinitionError> conflicts = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (LocatedDefinition located : tree) {
            String name = located.definition().name();
            names.add(name);
            PublishedDefinition before = published.definitions().get(name);
            if (before != null && !repository.equals(before.repository())) {
                conflicts.add(new DefinitionError(located.source().file(), located.source().line(), 1, "name",
                        "image '" + name + "' is already defined in repository '" + before.repository() + "' ("
                                + before.source().file() + ":" + before.source().line() + "); names must be unique across repositories"));
            } else if (before == null || !sameDefinition(before, located)) {
                changed.add(located);
            } else {
                unchanged.add(name);
            }
        }
        List<PublishedDefinition> removed = published.definitions().values().stream()
                .filter(d -> repository.equals(d.repository()) && !names.contains(d.name()))
                .sorted(java.util.Comparator.comparing(PublishedDefinition::name))
                .toList();
        return new DefinitionChanges(changed, removed, unchanged, conflicts);
    }

    /**
     * Same content (compared as JSON trees, as consumers see it) in the same file. A definition that only moved
     * within its file is unchanged: re-publishing it would re-plan every image below an edit.
     */
    static boolean sameDefinition(PublishedDefinition before, LocatedDefinition now) {
        return Objects.equals(before.source().file(), now.source().file())
                && EventJson.tree(before.definition()).equals(EventJson.tree(now.definition()));
    }
}
