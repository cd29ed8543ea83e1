package org.imagemanager.planner;

import jakarta.inject.Singleton;
import org.imagemanager.cloud.Clouds;
import org.imagemanager.definition.ImageDefinition;
import org.imagemanager.event.EventJson;
import org.imagemanager.event.ImageAction;
import org.imagemanager.event.PlanComputed;
import org.imagemanager.kafka.EventPublisher;
import org.imagemanager.plan.FamilyPlan;
import org.imagemanager.plan.FamilyPlanner;
import org.imagemanager.plan.ObservedImage;
import org.imagemanager.plan.PlanOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The only place that decides. Events are triggers, not instructions: on each one it re-reads the family's
 * latest definition and the cloud's current images, and publishes the plan of the shared core.
 */
@Singleton
public class PlannerService {
    private static final Logger LOG = LoggerFactory.getLogger(PlannerService.class);

    private final Map<String, ImageDefinition> definitions = new ConcurrentHashMap<>();
    private final Map<String, Object> familyLocks = new ConcurrentHashMap<>();
    private final Clouds clouds;
    private final EventPublisher publisher;
    private final PlannerSettings settings;
    private final Clock clock;

    public PlannerService(Clouds clouds, EventPublisher publisher, PlannerSettings settings) {
        this.clouds = clouds;
        this.publisher = publisher;
        this.settings = settings;
        this.clock = Clock.systemUTC();
    }

    /** A new or changed definition: remember it and plan it in every cloud. */
    public void definitionChanged(ImageDefinition definition) {
        definitions.put(definition.name(), definition);
        for (String cloud : settings.clouds()) {
            replan(cloud, definition.name());
        }
    }

    /** Something happened to a family in a cloud: plan it again from what is there now. */
    public void replan(String cloud, String family) {
        Optional<ImageDefinition> definition = Optional.ofNullable(definitions.get(family));
        if (definition.isEmpty() || !settings.clouds().contains(cloud)) {
            return;
        }
        // One family is never planned twice at once in this process (definition and outcome listeners run apart).
        synchronized (familyLocks.computeIfAbsent(cloud + "/" + family, k -> new Object())) {
            List<ObservedImage> observed;
            try {
                observed = clouds.glance(cloud).listImages(settings.managementTag());
            } catch (RuntimeException e) {
                LOG.warn("cloud={} image={}: cannot list images, not planned: {}", cloud, family, e.getMessage());
                return;
            }
            PlanOptions options = new PlanOptions(settings.managementTag(), clock.instant(), Duration.ofHours(2));
            FamilyPlan plan = FamilyPlanner.plan(cloud, definition.get(), observed, options);
            for (ImageAction action : plan.actions()) {
                LOG.info("cloud={} image={}: {}", cloud, family, action.describe());
                publisher.publish(action);
            }
            publisher.publish(new PlanComputed(EventJson.newEventId(), clock.instant(), cloud, family,
                    plan.actions().stream().map(ImageAction::actionId).toList(),
                    plan.actions().stream().map(ImageAction::describe).toList(),
                    plan.inProgress(), plan.unchanged()));
        }
    }
}
