package org.imagemanager.definitions.publish;

import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;

/**
 * Polls every repository (configurable interval): covers repositories without webhooks and catches a missed
 * webhook. The first poll, at start, recovers the state from Kafka and catches up with each branch.
 */
@Singleton
public class DefinitionsPoller {
    private final DefinitionsSync sync;

    public DefinitionsPoller(DefinitionsSync sync) {
        this.sync = sync;
    }

    @Scheduled(fixedDelay = "${image-manager.definitions.poll-interval:30s}", initialDelay = "0s")
    void poll() {
        sync.requestAll();
    }
}
