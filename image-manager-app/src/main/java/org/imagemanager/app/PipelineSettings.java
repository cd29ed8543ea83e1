package org.imagemanager.app;

import org.imagemanager.kafka.TopicNames;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How to run the four services in one JVM.
 *
 * @param repository a git repository to watch (a local path or a URL; serve mode, tests); null when definitions are
 *                   published directly
 * @param cloudsFile an explicit clouds.yaml; null for the standard search path
 */
public record PipelineSettings(String bootstrapServers, List<String> clouds, String managementTag, Path cloudsFile,
                               TopicNames topics, String groupPrefix, String repository, String branch,
                               String pollInterval, Map<String, Object> planProperties) {
    public PipelineSettings {
        clouds = List.copyOf(clouds);
        planProperties = Map.copyOf(planProperties);
    }

    Map<String, Object> properties() {
        Map<String, Object> p = new HashMap<>(planProperties);
        p.put("micronaut.application.name", "image-manager");
        p.put("micronaut.metrics.binders.kafka.enabled", false); // Kafka's client meters clash in Prometheus
        p.put("image-manager.events.source", "launcher");
        p.put("kafka.bootstrap.servers", bootstrapServers);
        p.put("image-manager.clouds", String.join(",", clouds));
        p.put("image-manager.management-tag", managementTag);
        p.put("image-manager.topics.definitions", topics.definitions());
        p.put("image-manager.topics.actions", topics.actions());
        p.put("image-manager.topics.events", topics.events());
        p.put("image-manager.kafka.group-prefix", groupPrefix);
        if (cloudsFile != null) {
            p.put("image-manager.clouds-file", cloudsFile.toAbsolutePath().toString());
        }
        if (repository != null) {
            p.put("image-manager.definitions.repository", repository);
            if (branch != null) {
                p.put("image-manager.definitions.branch", branch);
            }
            p.put("image-manager.definitions.poll-interval", pollInterval == null ? "10s" : pollInterval);
        }
        return p;
    }
}
