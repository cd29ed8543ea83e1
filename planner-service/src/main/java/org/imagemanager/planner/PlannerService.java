package org.imagemanager.planner;

import jakarta.inject.Singleton;
import org.imagemanager.claim.FamilyClaims;
import org.imagemanager.cloud.Clouds;
import org.imagemanager.definition.ImageDefinition;
import org.imagemanager.event.Blocked;
import org.imagemanager.event.EventJson;
import org.imagemanager.event.EventKeys;
import org.imagemanager.event.ImageAction;
import org.imagemanager.event.PlanComputed;
import org.imagemanager.kafka.EventPublisher;
import org.imagemanager.observability.Metrics;
import org.imagemanager.plan.FamilyPlan;
import org.imagemanager.source.UpstreamResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The only place that decides. Events are triggers, not instructions: on each one it re-reads the latest
 * definitions and the cloud's current images, and publishes the plan of the shared core. A late, repeated or
 * out-of-order event can therefore only cause another plan, never a wrong action.
 *
 * <p>Triggers: a definition event, an outcome (import completed or failed, image changed), a rebalance that hands
 * this instance new families, and the periodic resync, which corrects changes made by hand in the cloud.
 */
@Singleton
public class PlannerService {
    private static final Logger LOG = LoggerFactory.getLogger(PlannerService.class);

    /** Why a plan was made; a resync that finds work has found drift. */
    public enum Trigger { DEFINITION, OUTCOME, REBALANCE, RESYNC }

    private final Map<String, ImageDefinition> definitions = new ConcurrentHashMap<>();
    /** False until the definitions topic is read up to its end at start-up: no plan is made from a stale definition. */
    private volatile boolean definitionsCurrent;
    private final Map<String, Object> cloudLocks = new ConcurrentHashMap<>();
    /** cloud/family pairs whose last import failed: no retirement while any is there (a failure must not look like a removal). */
    private final Set<String> failedImports = ConcurrentHashMap.newKeySet();
    private final FamilyOwnership ownership = new FamilyOwnership();
    private final InFlightActions inFlight;
    private final Clouds clouds;
    private final EventPublisher publisher;
    private final PlannerSettings settings;
    private final UpstreamResolver upstream;
    private final Metrics metrics;
    private final FamilyClaims claims;
    private final Clock clock;
    private final CloudPlanning planning;

    public PlannerService(Clouds clouds, EventPublisher publisher, PlannerSettings settings, UpstreamResolver upstream,
                          Metrics metrics, FamilyClaims claims) {
        this.claims = claims;
        this.clouds = clouds;
        this.publisher = publisher;
        this.settings = settings;
        this.upstream = upstream;
        this.metrics = metrics;
        this.clock = Clock.systemUTC();
        this.planning = new CloudPlanning(clouds, settings, upstream, claims, clock);
        this.inFlight = new InFlightActions(settings.plan().redeliverAfter, settings.plan().retryFailedAfter);
    }

    /**
     * A new or changed definition: remember it. Planning waits for {@link #definitionsApplied}: a batch read from the
     * topic may hold several versions of one definition, and only the newest may ever be planned.
     */
    public void definitionChanged(ImageDefinition definition) {
        definitions.put(definition.name(), definition);
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

    /**
     * The definitions read so far are applied. Until the topic has been read up to where it ended when this instance
     * started ({@code caughtUp}), nothing at all is planned: the topic still holds older versions of definitions
     * (until compaction), and a plan made from one of them would undo the newer one (retire, even delete, the builds
     * it added). Once caught up, every owned family is planned from the newest definitions, then each change as it
     * comes.
     */
    public void definitionsApplied(Set<String> changed, boolean caughtUp) {
        if (!definitionsCurrent) {
            if (!caughtUp) {
                return;
            }
            definitionsCurrent = true;
            LOG.info("definitions read up to the end of the topic: {} definition(s)", definitions.size());
            planEverythingOwned(Trigger.DEFINITION);
            return;
        }
        planOwned(changed.stream().filter(definitions::containsKey).toList(), Trigger.DEFINITION);
    }

    /** Whether the definitions are read up to the end of the topic as it was at the start (planning is allowed). */
    boolean definitionsCurrent() {
        return definitionsCurrent;
    }

    /** The names of the definitions this instance currently knows (for tests). */
    Set<String> definitionNames() {
        return Set.copyOf(definitions.keySet());
    }

    public void importFailed(String cloud, String family, String actionId) {
        inFlight.failed(actionId, clock.instant());
        failedImports.add(EventKeys.of(cloud, family));
        replan(cloud, family);
    }

    public void importCompleted(String cloud, String family, String actionId) {
        inFlight.answered(actionId);
        failedImports.remove(EventKeys.of(cloud, family));
        replan(cloud, family);
    }

    /** An action was carried out ({@code changed}) or found needless: plan again if the cloud changed. */
    public void actionAnswered(String cloud, String family, String actionId, boolean changed) {
        inFlight.answered(actionId);
        if (changed) {
            replan(cloud, family);
        }
    }

    /** The cloud refused an action: it is tried again after a pause (a resync or another trigger re-plans it). */
    public void actionFailed(String actionId) {
        inFlight.failed(actionId, clock.instant());
    }

    public void importProgress(String actionId) {
        inFlight.alive(actionId, clock.instant());
    }

    /** Something happened to a family in a cloud: plan it again from what is there now. */
    public void replan(String cloud, String family) {
        plan(cloud, Set.of(family), Trigger.OUTCOME);
    }

    /** This instance now owns these partitions of the outcome topic: plan every family that came with them. */
    public void partitionsAssigned(Set<Integer> owned, int partitionCount) {
        ownership.assigned(owned, partitionCount);
        LOG.info("planning the families of {} of {} partitions", owned.size(), partitionCount);
        planEverythingOwned(Trigger.REBALANCE);
    }

    /** Some partitions went to another instance: their families are not planned here any more. */
    public void partitionsRevoked(Set<Integer> kept, int partitionCount) {
        ownership.assigned(kept, partitionCount);
    }

    /** The periodic resync: every owned family, from what the clouds hold now. */
    public void resync() {
        planEverythingOwned(Trigger.RESYNC);
    }

    private void planEverythingOwned(Trigger trigger) {
        planOwned(definitions.keySet(), trigger);
    }

    /** Plans those of {@code families} this instance owns, cloud by cloud. */
    private void planOwned(java.util.Collection<String> families, Trigger trigger) {
        for (String cloud : settings.clouds()) {
            Set<String> owned = families.stream()
                    .filter(family -> ownership.owns(EventKeys.of(cloud, family)))
                    .collect(Collectors.toSet());
            if (!owned.isEmpty()) {
                plan(cloud, owned, trigger);
            }
        }
    }

    /**
     * Plans {@code families} in {@code cloud} from one listing of its images. A cloud that cannot be reached is
     * reported and skipped: it never holds up another cloud, and the next trigger or resync tries again.
     */
    private void plan(String cloud, Set<String> families, Trigger trigger) {
        if (!settings.clouds().contains(cloud)) {
            return;
        }
        // One cloud is planned by one thread at a time in this process (the listeners and the resync run apart);
        // across processes, the ownership of partitions keeps a family with one instance.
        if (!definitionsCurrent) {
            return; // a rebalance, an outcome or the resync before the definitions are read: planned once they are
        }
        synchronized (cloudLocks.computeIfAbsent(cloud, k -> new Object())) {
            Set<String> failed = failedImports.stream().filter(key -> key.startsWith(cloud + "/"))
                    .map(key -> key.substring(cloud.length() + 1)).collect(Collectors.toSet());
            CloudPlanning.Planned planned;
            try {
                planned = planning.plan(cloud, definitions, families, failed);
            } catch (RuntimeException e) {
                LOG.warn("cloud={}: cannot list images or resolve options, {} famil{} not planned: {}", cloud,
                        families.size(), families.size() == 1 ? "y" : "ies", e.getMessage());
                return;
            }
            for (ImageDefinition definition : planned.wanted()) {
                Optional<FamilyPlan> familyPlan = planned.of(definition.name());
                if (familyPlan.isEmpty()) {
                    leaveAlone(cloud, definition.name(), planned.live().get(definition.name()), trigger);
                } else {
                    publish(familyPlan.get(), trigger);
                }
            }
        }
    }

    /**
     * Another run (another pipeline) holds the family's claim: nothing is planned for it this round, and the plan
     * says why. A later trigger (the resync) plans it again; by then the claim has been released or has run out.
     */
    private void leaveAlone(String cloud, String family, FamilyClaims.Live claim, Trigger trigger) {
        LOG.info("cloud={} image={}: left alone, {}", cloud, family, claim.describe());
        metrics.planComputed(cloud, 0);
        metrics.leftAlone(cloud, "planner");
        publisher.publish(new PlanComputed(EventJson.newEventId(), clock.instant(), cloud, family, List.of(), List.of(),
                List.of(), 0, List.of(), trigger.name(), claim.describe()));
    }

    private void publish(FamilyPlan familyPlan, Trigger trigger) {
        String cloud = familyPlan.cloud();
        String family = familyPlan.family();
        List<String> published = new ArrayList<>();
        List<String> awaiting = new ArrayList<>();
        for (ImageAction action : familyPlan.actions()) {
            if (action instanceof Blocked) {
                LOG.warn("cloud={} image={}: {}", cloud, family, action.describe());
            } else if (inFlight.shouldPublish(action.actionId(), clock.instant())) {
                LOG.info("cloud={} image={}: {}{}", cloud, family, action.describe(),
                        trigger == Trigger.RESYNC ? " (drift found by the resync)" : "");
                publisher.publish(action);
                inFlight.published(action.actionId(), clock.instant());
                published.add(action.actionId());
                if (trigger == Trigger.RESYNC) {
                    // nothing announced this change: the cloud drifted from its definitions (by hand, or a lost event)
                    metrics.driftCorrected(cloud, action.getClass().getSimpleName());
                }
            } else {
                awaiting.add(action.actionId()); // still under way (or failed a moment ago): not sent twice
            }
        }
        metrics.planComputed(cloud, published.size());
        publisher.publish(new PlanComputed(EventJson.newEventId(), clock.instant(), cloud, family, published,
                familyPlan.actions().stream().map(ImageAction::describe).toList(),
                familyPlan.inProgress(), familyPlan.unchanged(), awaiting, trigger.name()));
    }
}
