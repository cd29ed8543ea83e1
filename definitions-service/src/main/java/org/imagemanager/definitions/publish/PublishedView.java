package org.imagemanager.definitions.publish;

import java.util.Map;
import java.util.Optional;

/** What the topics say now: every definition in force, and each repository's last published and rejected commit. */
public record PublishedView(Map<String, PublishedDefinition> definitions, Map<String, RepositoryState> repositories) {
    public PublishedView {
        definitions = Map.copyOf(definitions);
        repositories = Map.copyOf(repositories);
    }

    public RepositoryState repository(String name) {
        return Optional.ofNullable(repositories.get(name)).orElseGet(() -> RepositoryState.empty(name));
    }

    public static PublishedView empty() {
        return new PublishedView(Map.of(), Map.of());
    }
}
