package org.imagemanager.app;

import org.imagemanager.cloud.CloudsYaml;
import org.imagemanager.glance.GlanceClient;
import org.imagemanager.kafka.TopicNames;
import org.imagemanager.kafka.TopicsInitializer;
import org.imagemanager.plan.ObservedImage;
import org.imagemanager.testsupport.DevCloud;
import org.imagemanager.testsupport.SharedKafka;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One isolated pipeline run against the shared broker and the dev cloud: its own topics, consumer groups and
 * management tag, so runs never see each other's records or images.
 */
final class PipelineTestRun implements AutoCloseable {
    final String id = UUID.randomUUID().toString().substring(0, 8);
    final String cloud = DevCloud.ADMIN_CLOUD;
    final String tag = "im-test-" + id;
    final TopicNames topics = new TopicNames("definitions-" + id, "actions-" + id, "events-" + id);
    final String bootstrap = SharedKafka.bootstrapServers();
    final Path cloudsFile;
    final GlanceClient glance;
    final SyncTracker tracker;
    private Pipeline pipeline;

    private final Map<String, GlanceClient> glances = new java.util.LinkedHashMap<>();

    PipelineTestRun() {
        this(DevCloud.cloudsFile());
    }

    /** A run with its own clouds.yaml (e.g. one that adds a broken cloud). */
    PipelineTestRun(Path cloudsFile) {
        this.cloudsFile = cloudsFile;
        glance = glance(cloud);
        TopicsInitializer.ensure(bootstrap, topics, 3, (short) 1);
        tracker = new SyncTracker(bootstrap, topics.events(), event -> { });
    }

    /** Starts the four services watching {@code repository}. */
    void start(Path repository) {
        start(repository, Map.of());
    }

    /** Starts the four services watching {@code repository}, with planner options ({@code image-manager.plan.*}). */
    void start(Path repository, Map<String, Object> planProperties) {
        start(repository.toAbsolutePath().toString(), "1s", planProperties);
    }

    /**
     * Stops the services and starts them again with other planner options, on the same topics and consumer groups:
     * as an operator who runs the next sync with other flags.
     */
    void restart(Path repository, Map<String, Object> planProperties) {
        pipeline.close();
        tracker.expectNewPlans(java.time.Instant.now()); // what the stopped services planned belongs to the old options
        start(repository, planProperties);
    }

    /** A client of another cloud of the dev cloud's clouds.yaml (e.g. {@link DevCloud#DEMO_CLOUD}); its images are cleaned up too. */
    GlanceClient glance(String cloudName) {
        return glances.computeIfAbsent(cloudName, name -> {
            Map<String, String> env = new HashMap<>(System.getenv());
            env.put("OS_CLIENT_CONFIG_FILE", cloudsFile.toString());
            return new GlanceClient(CloudsYaml.load(name, env));
        });
    }

    /** Starts the four services for several clouds at once (clean-up covers the clouds asked for by {@link #glance(String)}). */
    Pipeline start(List<String> clouds, Path repository, Map<String, Object> properties) {
        PipelineSettings settings = new PipelineSettings(bootstrap, clouds, tag, cloudsFile, topics,
                "group-" + id, repository.toAbsolutePath().toString(), null, "1s", properties);
        pipeline = Pipeline.start(settings);
        return pipeline;
    }

    /** Starts the four services following {@code location} (a path or URL), polling every {@code pollInterval}. */
    Pipeline start(String location, String pollInterval, Map<String, Object> properties) {
        PipelineSettings settings = new PipelineSettings(bootstrap, List.of(cloud), tag, cloudsFile, topics,
                "group-" + id, location, null, pollInterval, properties);
        pipeline = Pipeline.start(settings);
        return pipeline;
    }

    /** Every event on the topic so far (the tracker only reads while it awaits a settled state). */
    List<org.imagemanager.event.ImageEvent> eventsNow() {
        return org.imagemanager.app.status.EventsTopic.read(bootstrap, topics.events()).events();
    }

    List<ObservedImage> managedImages() {
        return glance.listImages(tag);
    }

    @Override
    public void close() {
        if (pipeline != null) {
            pipeline.close();
        }
        tracker.close();
        for (GlanceClient client : glances.values()) {
            for (ObservedImage image : client.listImages(tag)) {
                client.delete(image.id());
            }
        }
    }
}
