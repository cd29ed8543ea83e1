package org.imagemanager.kafka;

import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;

/**
 * The three topics, named by configuration so that several pipelines (or tests) can share one broker:
 * {@code image-manager.topics.definitions|actions|events}.
 */
@Singleton
public record TopicNames(
        @Value("${image-manager.topics.definitions:image-definitions}") String definitions,
        @Value("${image-manager.topics.actions:image-actions}") String actions,
        @Value("${image-manager.topics.events:image-events}") String events) {

    /**
     * The definitions service's own compacted topic: per repository, the last published commit (and the last
     * rejected one), written in the same transaction as the definition events of that commit.
     */
    public String definitionsState() {
        return definitions + "-state";
    }
}
