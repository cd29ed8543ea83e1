package org.imagemanager.planner;

import jakarta.inject.Singleton;
import org.imagemanager.cloud.Clouds;
import org.imagemanager.definition.ImageDefinition;
import org.imagemanager.event.Blocked;
import org.imagemanager.event.EventJson;
import org.imagemanager.event.ImageAction;
import org.imagemanager.event.PlanComputed;
import org.imagemanager.kafka.EventPublisher;
import org.imagemanager.plan.FamilyPlan;
import org.imagemanager.plan.ObservedImage;
import org.imagemanager.plan.Plan;
import org.imagemanager.plan.Reconciler;
import org.imagemanager.source.UpstreamResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The only place that decides. Events are triggers, not instructions: on each one it re-reads the latest
 * definitions and the cloud's current images, and publishes the plan of the shared core for that family.
 */
@Singleton
public class PlannerService {
    private static final Logger LOG = LoggerFactory.getLogger(PlannerService.class);

    private final Map<String, ImageDefinition> definitions = new ConcurrentHashMap<>();
    private final Map<String, Object> familyLocks = new ConcurrentHashMap<>();
    /** cloud/family pairs whose last import failed: no retirement while any is there (a failure must not look like a removal). */
    private final Set<String> failedImports = ConcurrentHashMap.newKeySet();
    private final Clouds clouds;
    private final EventPublisher publisher;
    private final PlannerSettings settings;
    private final UpstreamResolver upstream;
    private final Clock clock;
    @jakarta.inject.Inject org.imagemanager.observability.Metrics metrics;

    public PlannerService(Clouds clouds, EventPublisher publisher, PlannerSettings settings, UpstreamResolver upstream) {
        this.clouds = clouds;
        this.publisher = publisher;
        this.settings = settings;
        this.upstream = upstream;
        this.clock = Clock.systemUTC();
    }

    /** A new or changed definition: remember it and plan it in every cloud. */
    public void definitionChanged(ImageDefinition definition) {
        definitions.put(definition.name(), definition);
        for (String cloud : settings.clouds()) {
            replan(cloud, definition.name());
        }
    }

    /**
     * A definition was removed from its repository: it is no longer planned. Its images stay as they are; what to
     * do with them is the operator's decision (the reference tool leaves them too).
     */
    public void definitionRemoved(String name) {
        if (definitions.remove(name) != null) {
            LOG.info("image={}: definition removed, no longer managed by plans", name);
        }
    }

    public void importFailed(String cloud, String family) {
        failedImports.add(cloud + "/" + family);
    }

    public void importCompleted(String cloud, String family) {
        failedImports.remove(cloud + "/" + family);
        replan(cloud, family);
    }

    /** Something happened to a family in a cloud: plan it again from what is there now. */
    public void replan(String cloud, String family) {
        if (!definitions.containsKey(family) || !settings.clouds().contains(cloud)) {
            return;
        }
        // One family is never planned twice at once in this process (definition and outcome listeners run apart).
        synchronized (familyLocks.computeIfAbsent(cloud + "/" + family, k -> new Object())) {
            List<ObservedImage> observed;
            String project;
            try {
                observed = clouds.glance(cloud).listImages(settings.managementTag());
                project = clouds.glance(cloud).projectId();
            } catch (RuntimeException e) {
                LOG.warn("cloud={} image={}: cannot list images, not planned: {}", cloud, family, e.getMessage());
                return;
            }
            Set<String> failed = failedImports.stream().filter(key -> key.startsWith(cloud + "/"))
                    .map(key -> key.substring(cloud.length() + 1)).collect(java.util.stream.Collectors.toSet());
            ImageDefinition definition = definitions.get(family);
            Plan plan = Reconciler.plan(List.copyOf(definitions.values()), observed,
                    settings.options(cloud, clock.instant(), project),
                    new Reconciler.Inputs(upstream.resolve(List.of(definition)), failed));
            FamilyPlan familyPlan = plan.family(family).orElse(new FamilyPlan(cloud, family, List.of(), List.of(), 0));
            List<ImageAction> executable = familyPlan.executable();
            metrics.planComputed(cloud, executable.size());
            for (ImageAction action : familyPlan.actions()) {
                if (action instanceof Blocked) {
                    LOG.warn("cloud={} image={}: {}", cloud, family, action.describe());
                } else {
                    LOG.info("cloud={} image={}: {}", cloud, family, action.describe());
                    publisher.publish(action);
                }
            }
            publisher.publish(new PlanComputed(EventJson.newEventId(), clock.instant(), cloud, family,
                    executable.stream().map(ImageAction::actionId).toList(),
                    familyPlan.actions().stream().map(ImageAction::describe).toList(),
                    familyPlan.inProgress(), familyPlan.unchanged()));
        }
    }
}
