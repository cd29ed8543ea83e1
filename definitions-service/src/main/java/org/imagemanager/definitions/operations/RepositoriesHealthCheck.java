package org.imagemanager.definitions.operations;

import jakarta.inject.Singleton;
import org.imagemanager.definitions.publish.DefinitionsSync;
import org.imagemanager.definitions.repository.RepositorySettings;
import org.imagemanager.observability.Health;
import org.imagemanager.observability.HealthCheck;

import java.util.Map;

/**
 * The repositories followed and the last error of each, in {@code GET /health}. Always UP: a remote that is away
 * is a degraded sync (the published definitions stay in force, the next poll tries again), not a dead process.
 */
@Singleton
public class RepositoriesHealthCheck implements HealthCheck {
    private final DefinitionsSync sync;

    public RepositoriesHealthCheck(DefinitionsSync sync) {
        this.sync = sync;
    }

    @Override
    public String name() {
        return "repositories";
    }

    @Override
    public Health check() {
        return Health.up(Map.of(
                "repositories", sync.repositories().stream().map(RepositorySettings::name).toList(),
                "errors", sync.lastErrors()));
    }
}
