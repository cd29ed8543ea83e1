package org.imagemanager.app;

import org.imagemanager.claim.FamilyClaims;
import org.imagemanager.definitions.DefinitionSnapshot;
import org.imagemanager.event.ActionFailed;
import org.imagemanager.event.Blocked;
import org.imagemanager.event.DefinitionEvent;
import org.imagemanager.event.EventJson;
import org.imagemanager.event.ImageAction;
import org.imagemanager.event.ImageEvent;
import org.imagemanager.event.ImportFailed;
import org.imagemanager.event.ImportImage;
import org.imagemanager.event.LeftAlone;
import org.imagemanager.event.PlanComputed;
import org.imagemanager.importer.ImportService;
import org.imagemanager.importer.ImportSettings;
import org.imagemanager.importer.mirror.S3Mirror;
import org.imagemanager.kafka.EventPublisher;
import org.imagemanager.kafka.EventRecords;
import org.imagemanager.kafka.TopicNames;
import org.imagemanager.observability.Metrics;
import org.imagemanager.plan.FamilyPlan;
import org.imagemanager.planner.CloudPlanning;
import org.imagemanager.rotator.RotatorService;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A one-shot {@code sync} without a broker (no {@code --kafka}): the planner's own plan ({@link CloudPlanning}), carried
 * out in this process by the importer's and the rotator's own services, then planned again from what the clouds hold,
 * round after round, until every cloud is in line or nothing more can be done in this run. An embedded broker would
 * only carry these events between services in one JVM and be thrown away at the end; starting it (and the services)
 * cost a run that changes one property ten seconds.
 *
 * <p>Rounds keep the pipeline's rules: a family's actions run in plan order, one family at a time per family and
 * families side by side (up to {@code concurrency}); an action carried out once is not sent again in this run (its
 * outcome is final here, as the planner holds back a failed one); an import that failed holds back retirement in
 * its cloud. A {@code multi: true} family imports every missing build in one round and moves the plain name once in
 * the next, instead of after each import. The events of the run feed the same fold as a pipeline run
 * ({@link SyncTracker}), so the progress lines and the summary are the same.
 */
final class LocalRun implements AutoCloseable {
    /** More rounds than any plan needs (import, rename, retire): beyond, something keeps changing the cloud. */
    private static final int MAX_ROUNDS = 12;

    private final LocalPlanning planning;
    private final SyncTracker tracker;
    private final InProcessEvents events;
    private final ImportService importer;
    private final RotatorService rotator;
    private final ExecutorService workers;
    /** Families (cloud/family) whose import failed in this run. */
    private final Set<String> failedImports = ConcurrentHashMap.newKeySet();

    LocalRun(LocalPlanning planning, S3Mirror mirror, int concurrency, Consumer<ImageEvent> progress) {
        this.planning = planning;
        this.tracker = new SyncTracker(progress);
        this.events = new InProcessEvents(this::record);
        FamilyClaims claims = planning.claims();
        this.importer = new ImportService(planning.clouds(), events, new ImportSettings(), mirror, Metrics.detached(), claims);
        this.rotator = new RotatorService(planning.clouds(), events, Metrics.detached(), claims);
        this.workers = Executors.newFixedThreadPool(Math.max(1, concurrency), Thread.ofPlatform().daemon().name("sync-", 1).factory());
    }

    private synchronized void record(ImageEvent event) {
        tracker.accept(event);
        if (event instanceof ImportFailed failed) {
            failedImports.add(failed.cloud() + "/" + failed.family());
        }
    }

    /** Carries the plans out; returns whether every cloud ended in line (false: the deadline passed first). */
    boolean run(DefinitionSnapshot snapshot, Map<String, CloudPlanning.Planned> first, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        Set<String> carriedOut = new HashSet<>();
        Map<String, CloudPlanning.Planned> planned = first;
        for (int round = 0; round < MAX_ROUNDS; round++) {
            List<List<ImageAction>> work = new ArrayList<>();
            for (CloudPlanning.Planned cloud : planned.values()) {
                for (var definition : cloud.wanted()) {
                    String family = definition.name();
                    var familyPlan = cloud.of(family);
                    if (familyPlan.isEmpty()) {
                        FamilyClaims.Live claim = cloud.live().get(family);
                        record(new PlanComputed(EventJson.newEventId(), Instant.now(), cloud.cloud(), family, List.of(),
                                List.of(), List.of(), 0, List.of(), round == 0 ? "DEFINITION" : "OUTCOME", claim.describe()));
                        continue;
                    }
                    List<ImageAction> todo = announce(familyPlan.get(), carriedOut, round);
                    if (!todo.isEmpty()) {
                        work.add(todo);
                    }
                }
            }
            if (work.isEmpty()) {
                return true;
            }
            List<Future<?>> running = new ArrayList<>();
            for (List<ImageAction> family : work) {
                running.add(workers.submit(() -> carryOut(family)));
            }
            for (Future<?> family : running) {
                long left = Duration.between(Instant.now(), deadline).toMillis();
                try {
                    family.get(Math.max(1, left), TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    return false;
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
                }
            }
            Map<String, CloudPlanning.Planned> next = new LinkedHashMap<>();
            for (String cloud : planned.keySet()) {
                Set<String> failedHere = new HashSet<>();
                failedImports.stream().filter(key -> key.startsWith(cloud + "/"))
                        .forEach(key -> failedHere.add(key.substring(cloud.length() + 1)));
                next.put(cloud, planning.plan(cloud, snapshot, failedHere));
            }
            planned = next;
        }
        return true;
    }

    /** The family's plan as the planner publishes it; returns the actions to carry out now (not yet in this run). */
    private List<ImageAction> announce(FamilyPlan plan, Set<String> carriedOut, int round) {
        List<String> published = new ArrayList<>();
        List<String> awaiting = new ArrayList<>();
        List<ImageAction> todo = new ArrayList<>();
        for (ImageAction action : plan.actions()) {
            if (action instanceof Blocked) {
                continue;
            }
            if (carriedOut.add(action.actionId())) {
                published.add(action.actionId());
                todo.add(action);
            } else {
                awaiting.add(action.actionId()); // its outcome is this run's last word on it
            }
        }
        record(new PlanComputed(EventJson.newEventId(), Instant.now(), plan.cloud(), plan.family(), published,
                plan.actions().stream().map(ImageAction::describe).toList(), plan.inProgress(), plan.unchanged(), awaiting,
                round == 0 ? "DEFINITION" : "OUTCOME"));
        return todo;
    }

    /** One family's actions, in plan order; the first that does not succeed ends the family's round. */
    private void carryOut(List<ImageAction> family) {
        for (ImageAction action : family) {
            ImageEvent outcome = action instanceof ImportImage importImage
                    ? importer.importImage(importImage)
                    : rotator.apply(action).orElse(null);
            if (outcome instanceof ImportFailed || outcome instanceof ActionFailed || outcome instanceof LeftAlone) {
                return;
            }
        }
    }

    SyncTracker.Summary summary() {
        return tracker.summary();
    }

    @Override
    public void close() {
        workers.shutdownNow();
    }

    /** Events go to the run's fold instead of a topic; definitions and actions are not published at all. */
    private static final class InProcessEvents extends EventPublisher {
        private final Consumer<ImageEvent> sink;

        InProcessEvents(Consumer<ImageEvent> sink) {
            super(new EventRecords(new TopicNames("image-definitions", "image-actions", "image-events"), "launcher"));
            this.sink = sink;
        }

        @Override
        public void publish(DefinitionEvent event) {
        }

        @Override
        public void publish(ImageAction action) {
        }

        @Override
        public void publish(ImageEvent event) {
            sink.accept(event);
        }

        @Override
        public void publishQuietly(ImageEvent event) {
            sink.accept(event);
        }
    }
}
