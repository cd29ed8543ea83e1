package org.imagemanager.definitions;

import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import org.imagemanager.definition.DefinitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Watches the configured git repository ({@code image-manager.definitions.repository}, a local path) and publishes
 * the definitions of every new head commit of {@code image-manager.definitions.branch}. A commit whose definitions
 * are invalid publishes nothing: the errors are logged with file, line and field, and the previous state stays in
 * force.
 */
@Singleton
@Requires(property = "image-manager.definitions.repository")
public class DefinitionsPoller {
    private static final Logger LOG = LoggerFactory.getLogger(DefinitionsPoller.class);

    private final DefinitionsReader reader = new DefinitionsReader();
    private final DefinitionsPublication publication;
    private final Path repository;
    private final String branch;
    private final String subfolder;
    private String lastSeenCommit;

    public DefinitionsPoller(DefinitionsPublication publication,
                             @Value("${image-manager.definitions.repository}") String repository,
                             @Value("${image-manager.definitions.branch:}") String branch,
                             @Value("${image-manager.definitions.subfolder:}") String subfolder) {
        this.publication = publication;
        this.repository = Path.of(repository);
        this.branch = branch.isBlank() ? null : branch;
        this.subfolder = subfolder.isBlank() ? null : subfolder;
    }

    @Scheduled(fixedDelay = "${image-manager.definitions.poll-interval:10s}", initialDelay = "0s")
    public synchronized void poll() {
        try {
            Optional<String> head = reader.headCommit(repository, branch);
            if (head.isEmpty() || head.get().equals(lastSeenCommit)) {
                return;
            }
            try {
                publication.publish(reader.readCommit(repository, head.get(), subfolder));
            } catch (DefinitionException e) {
                LOG.error("commit {} of {} has invalid definitions; nothing published:\n{}", head.get(), repository, e.getMessage());
            }
            // Only now: a failed publication (broker away) is tried again at the next poll.
            lastSeenCommit = head.get();
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot read definitions from {}: {}", repository, e.toString());
        }
    }
}
