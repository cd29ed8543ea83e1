package org.imagemanager.observability;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.inject.Singleton;
import org.imagemanager.event.FailureReason;

import java.time.Duration;

/**
 * Every metric of the services, one named method per thing that happens, so that names and tags are decided here
 * once. Tags carry only names from the configuration (cloud, repository), import methods, action kinds and failure
 * reasons: never a URL, a path or anything read from clouds.yaml but the cloud's name.
 *
 * <p>Prometheus names (Micrometer adds {@code _total}, {@code _seconds}, {@code _count}, …):
 * <ul>
 *   <li>{@code image_manager_imports_started_total{cloud,method}}: imports begun (a replay that finds its image
 *       done is not one)</li>
 *   <li>{@code image_manager_imports_completed_total{cloud,method}}, {@code image_manager_import_bytes_total{cloud,method}},
 *       {@code image_manager_import_duration_seconds{cloud,method}}: verified imports, the bytes Glance got, and
 *       how long each took with its retries</li>
 *   <li>{@code image_manager_imports_failed_total{cloud,method,reason}}: imports given up, with the reason</li>
 *   <li>{@code image_manager_plan_actions{cloud}}: actions per computed plan; {@code image_manager_drift_corrected_total{cloud,kind}}</li>
 *   <li>{@code image_manager_rotator_actions_applied_total{cloud,action}}, {@code image_manager_rotator_actions_skipped_total{cloud,action}}</li>
 *   <li>{@code image_manager_definitions_published_total{repository}}, {@code image_manager_definitions_rejected_total{repository}}:
 *       commits published or rejected</li>
 * </ul>
 */
@Singleton
public class Metrics {
    /** The method tag of an import that failed before a way into Glance was chosen (cloud away, name taken). */
    public static final String NO_METHOD = "none";

    /** Imports take seconds to hours: buckets an operator can read an SLO from without a histogram per second. */
    private static final Duration[] IMPORT_DURATION_BUCKETS = {Duration.ofSeconds(10), Duration.ofSeconds(30),
            Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(10),
            Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(2)};

    private final MeterRegistry registry;

    public Metrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Metrics kept in a registry of their own, for code run outside a service (tests, benchmarks). */
    public static Metrics detached() {
        return new Metrics(new SimpleMeterRegistry());
    }

    public void importStarted(String cloud, String method) {
        registry.counter("image_manager.imports.started", "cloud", cloud, "method", method).increment();
    }

    public void importCompleted(String cloud, String method, long bytes, Duration took) {
        registry.counter("image_manager.imports.completed", "cloud", cloud, "method", method).increment();
        registry.counter("image_manager.import.bytes", "cloud", cloud, "method", method).increment(bytes);
        Timer.builder("image_manager.import.duration").tags("cloud", cloud, "method", method)
                .serviceLevelObjectives(IMPORT_DURATION_BUCKETS).register(registry).record(took);
    }

    public void importFailed(String cloud, String method, FailureReason reason) {
        registry.counter("image_manager.imports.failed", "cloud", cloud, "method", method, "reason", reason.name()).increment();
    }

    /** A plan was computed for a family of {@code cloud}; {@code actions} is how many of its actions are executable. */
    public void planComputed(String cloud, int actions) {
        registry.summary("image_manager.plan.actions", "cloud", cloud).record(actions);
    }

    /** The cloud had drifted from the definitions and an action of {@code kind} (e.g. SetVisibility) puts it back. */
    public void driftCorrected(String cloud, String kind) {
        registry.counter("image_manager.drift.corrected", "cloud", cloud, "kind", kind).increment();
    }

    public void rotatorActionApplied(String cloud, String action) {
        registry.counter("image_manager.rotator.actions.applied", "cloud", cloud, "action", action).increment();
    }

    public void rotatorActionSkipped(String cloud, String action) {
        registry.counter("image_manager.rotator.actions.skipped", "cloud", cloud, "action", action).increment();
    }

    /**
     * A family was left alone because another run (another pipeline) held its claim in {@code cloud}; {@code by} is
     * who noticed: the planner (nothing planned), the importer or the rotator (an action not carried out).
     */
    public void leftAlone(String cloud, String by) {
        registry.counter("image_manager.families.left_alone", "cloud", cloud, "by", by).increment();
    }

    /** The cloud refused the action (a 4xx answer, e.g. a policy): the status is a tag, the answer is in the event. */
    public void rotatorActionRefused(String cloud, String action, int status) {
        registry.counter("image_manager.rotator.actions.refused", "cloud", cloud, "action", action,
                "status", String.valueOf(status)).increment();
    }

    /** A commit of {@code repository} was published (one {@code DefinitionsPublished} event). */
    public void definitionsPublished(String repository) {
        registry.counter("image_manager.definitions.published", "repository", repository).increment();
    }

    /** A commit of {@code repository} was rejected as invalid (one {@code DefinitionsRejected} event). */
    public void definitionsRejected(String repository) {
        registry.counter("image_manager.definitions.rejected", "repository", repository).increment();
    }
}
