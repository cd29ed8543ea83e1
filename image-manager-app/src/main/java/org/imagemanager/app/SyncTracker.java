package org.imagemanager.app;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.imagemanager.event.ActionFailed;
import org.imagemanager.event.ActionSkipped;
import org.imagemanager.event.Blocked;
import org.imagemanager.event.DefinitionsPublished;
import org.imagemanager.event.DefinitionsRejected;
import org.imagemanager.event.EventJson;
import org.imagemanager.event.EventKeys;
import org.imagemanager.event.ImageEvent;
import org.imagemanager.event.ImageChanged;
import org.imagemanager.event.ImportCompleted;
import org.imagemanager.event.ImportFailed;
import org.imagemanager.event.ImportProgress;
import org.imagemanager.event.ImportStarted;
import org.imagemanager.event.LeftAlone;
import org.imagemanager.event.PlanComputed;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Follows {@code image-events} from the moment it starts and tells when a set of families has settled in every
 * cloud: every action the planner published has an outcome, and the newest plan is empty (or holds only imports
 * that failed). It only observes; deciding stays with the planner.
 */
public final class SyncTracker implements AutoCloseable {
    private final KafkaConsumer<String, String> consumer;
    private final Map<String, PlanComputed> latestPlan = new HashMap<>();
    private final Map<String, PlanComputed> firstPlan = new HashMap<>();
    private final Map<String, Integer> dispatched = new HashMap<>();
    private final Map<String, Integer> outcomes = new HashMap<>();
    private final Map<String, Failure> failures = new LinkedHashMap<>();
    /** Actions not carried out because another run holds the family's claim, by action id. */
    private final Map<String, LeftAlone> leftAlone = new LinkedHashMap<>();
    private final Set<String> completedImports = new HashSet<>();
    private final List<ImageEvent> seen = new ArrayList<>();
    private final Consumer<ImageEvent> onEvent;
    private static final String NAME_TAKEN = "name-taken|";
    private Instant plansAfter = Instant.MIN;
    /** When set, a family's plans count only from its first plan with this trigger on (see {@link #expectNewPlans(Instant, String)}). */
    private String gateTrigger;
    private final Set<String> pastGate = new HashSet<>();

    public SyncTracker(String bootstrapServers, String eventsTopic, Consumer<ImageEvent> onEvent) {
        this.onEvent = onEvent;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new StringDeserializer());
        // a topic created a moment ago may not be in the metadata yet: ask until it is
        List<TopicPartition> partitions = List.of();
        Instant deadline = Instant.now().plusSeconds(60);
        while (partitions.isEmpty()) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("topic " + eventsTopic + " has no partitions after 60 s");
            }
            partitions = consumer.partitionsFor(eventsTopic, Duration.ofSeconds(10)).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition()))
                    .toList();
            if (partitions.isEmpty()) {
                sleep(100);
            }
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // fix the start now, before anything is published
    }

    /** The fold alone, fed by {@link #accept} (a sync carried out in this process, without a broker). */
    SyncTracker(Consumer<ImageEvent> onEvent) {
        this.onEvent = onEvent;
        this.consumer = null;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Polls until every (cloud, family) pair has settled or the deadline passes; returns whether all settled. */
    public boolean awaitSettled(Collection<String> clouds, Collection<String> families, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                accept(EventJson.decode(record.value(), ImageEvent.class));
            }
            if (clouds.stream().allMatch(cloud -> families.stream().allMatch(family -> settled(cloud, family)))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Forgets the plans seen so far: the next settle needs a plan read after this moment (e.g. after a new commit).
     * A plan made a moment earlier and read only now counts (the tracker reads while it awaits).
     */
    public void expectNewPlans() {
        latestPlan.clear();
    }

    /** As {@link #expectNewPlans()}, and a plan made before {@code since} never counts (e.g. before a commit or a restart). */
    public void expectNewPlans(Instant since) {
        expectNewPlans(since, null);
    }

    /**
     * As {@link #expectNewPlans(Instant)}, and a family's plans count only from its first plan with this trigger on
     * (e.g. {@code DEFINITION} after a commit: a plan made on an outcome a moment after the commit may still come from
     * the definitions before it, since the planner reads the commit a little later).
     */
    public void expectNewPlans(Instant since, String trigger) {
        latestPlan.clear();
        plansAfter = since;
        gateTrigger = trigger;
        pastGate.clear();
    }

    void accept(ImageEvent event) {
        seen.add(event);
        onEvent.accept(event);
        switch (event) {
            case PlanComputed plan -> {
                if (!plan.time().isBefore(plansAfter) && (gateTrigger == null || pastGate.contains(plan.key())
                        || gateTrigger.equals(plan.trigger()))) {
                    pastGate.add(plan.key());
                    latestPlan.put(plan.key(), plan);
                }
                // A name held by an image we must not touch does not free itself: the family has failed for this run
                // (only as long as the newest plan still says so).
                failures.keySet().removeIf(key -> key.startsWith(NAME_TAKEN + plan.key() + "|"));
                plan.descriptions().stream().filter(d -> d.startsWith("blocked:") && d.contains(Blocked.NAME_TAKEN))
                        .forEach(d -> failures.put(NAME_TAKEN + plan.key() + "|" + d,
                                new Failure(plan.cloud(), plan.family(), "NAME_TAKEN", d.substring("blocked: ".length()))));
                firstPlan.putIfAbsent(plan.key(), plan);
                plan.actions().forEach(id -> dispatched.merge(id, 1, Integer::sum));
            }
            case ImportCompleted done -> {
                outcome(done.actionId());
                completedImports.add(done.actionId());
                failures.remove(done.actionId());
            }
            case ImportFailed failed -> {
                outcome(failed.actionId());
                if (!completedImports.contains(failed.actionId())) {
                    failures.put(failed.actionId(), new Failure(failed.cloud(), failed.family() + "@" + failed.version(),
                            failed.reason().name(), failed.message()));
                }
            }
            case ActionFailed failed -> {
                outcome(failed.actionId());
                failures.put(failed.actionId(), new Failure(failed.cloud(), failed.action(),
                        "REFUSED " + failed.status(), failed.reason()));
            }
            case ImageChanged changed -> outcome(changed.actionId());
            case ActionSkipped skipped -> outcome(skipped.actionId());
            case LeftAlone left -> {
                outcome(left.actionId());
                leftAlone.put(left.actionId(), left);
            }
            case DefinitionsPublished ignored -> {
            }
            case DefinitionsRejected ignored -> {
            }
            case ImportStarted ignored -> {
            }
            case ImportProgress ignored -> {
            }
        }
    }

    private void outcome(String actionId) {
        outcomes.merge(actionId, 1, Integer::sum);
    }

    boolean settled(String cloud, String family) {
        PlanComputed plan = latestPlan.get(EventKeys.of(cloud, family));
        if (plan == null || !plan.inProgress().isEmpty()) {
            return false;
        }
        boolean everyActionAnswered = dispatched.entrySet().stream()
                .allMatch(e -> outcomes.getOrDefault(e.getKey(), 0) >= e.getValue());
        return everyActionAnswered && plan.actions().stream().allMatch(this::ended)
                && plan.awaiting().stream().allMatch(this::ended);
    }

    /** An action that will not change anything more in this run: it failed, or another run has its family. */
    private boolean ended(String actionId) {
        return failures.containsKey(actionId) || leftAlone.containsKey(actionId);
    }

    public Summary summary() {
        java.util.Set<String> clouds = new java.util.TreeSet<>();
        firstPlan.values().forEach(p -> clouds.add(p.cloud()));
        failures.values().forEach(f -> clouds.add(f.cloud()));
        List<CloudSummary> perCloud = new ArrayList<>();
        for (String cloud : clouds) {
            int imported = (int) seen.stream().filter(e -> e instanceof ImportCompleted c && !c.alreadyPresent() && c.cloud().equals(cloud)).count();
            int renamed = (int) seen.stream().filter(e -> e instanceof ImageChanged c && c.change() == ImageChanged.Change.RENAMED && c.cloud().equals(cloud)).count();
            int changed = (int) seen.stream().filter(e -> e instanceof ImageChanged c && c.change() != ImageChanged.Change.RENAMED && c.cloud().equals(cloud)).count();
            int unchanged = firstPlan.values().stream().filter(p -> p.cloud().equals(cloud)).mapToInt(PlanComputed::unchanged).sum();
            perCloud.add(new CloudSummary(cloud, imported, renamed, changed, unchanged,
                    failures.values().stream().filter(f -> f.cloud().equals(cloud)).toList(), leftAlone(cloud)));
        }
        return new Summary(perCloud);
    }

    /**
     * The families of {@code cloud} another run held, once each: those whose newest plan says so, or still holds
     * actions that found the family claimed (a family this run took up after all was not left alone).
     */
    private List<LeftAloneFamily> leftAlone(String cloud) {
        List<LeftAloneFamily> families = new ArrayList<>();
        latestPlan.values().stream().filter(plan -> plan.cloud().equals(cloud))
                .sorted(java.util.Comparator.comparing(PlanComputed::family))
                .forEach(plan -> {
                    if (plan.leftAlone() != null) {
                        families.add(new LeftAloneFamily(cloud, plan.family(), plan.leftAlone()));
                        return;
                    }
                    java.util.stream.Stream.concat(plan.actions().stream(), plan.awaiting().stream())
                            .map(leftAlone::get).filter(java.util.Objects::nonNull).reduce((first, last) -> last)
                            .ifPresent(l -> families.add(new LeftAloneFamily(cloud, plan.family(), l.describe())));
                });
        return families;
    }

    public List<ImageEvent> events() {
        return List.copyOf(seen);
    }

    @Override
    public void close() {
        if (consumer != null) {
            consumer.close();
        }
    }

    /** A family this run did not change because another run held its claim. */
    public record LeftAloneFamily(String cloud, String family, String reason) {
    }

    /** Something that did not happen: an import that failed, or an action the cloud refused. */
    public record Failure(String cloud, String what, String reason, String message) {
    }

    /**
     * @param changed    changes other than renames (visibility, properties, tags, status, retirement)
     * @param leftAlone  families another run (another pipeline) held the claim of: not changed by this run
     */
    public record CloudSummary(String cloud, int imported, int renamed, int changed, int unchanged, List<Failure> failed,
                               List<LeftAloneFamily> leftAlone) {
    }

    /** The end of a sync: one line per cloud, then every failure. */
    public record Summary(List<CloudSummary> clouds) {
        public List<Failure> failed() {
            return clouds.stream().flatMap(c -> c.failed().stream()).toList();
        }

        public List<LeftAloneFamily> leftAlone() {
            return clouds.stream().flatMap(c -> c.leftAlone().stream()).toList();
        }

        public String format() {
            StringBuilder text = new StringBuilder();
            int width = clouds.stream().mapToInt(c -> c.cloud().length()).max().orElse(0) + 1;
            for (CloudSummary c : clouds) {
                text.append(String.format("%-" + width + "s imported: %d  renamed: %d  changed: %d  unchanged: %d  failed: %d%n",
                        c.cloud() + ":", c.imported(), c.renamed(), c.changed(), c.unchanged(), c.failed().size()));
            }
            for (Failure f : failed()) {
                text.append(String.format("  FAILED %s %s (%s): %s%n", f.cloud(), f.what(), f.reason(), f.message()));
            }
            for (LeftAloneFamily l : leftAlone()) {
                text.append(String.format("  LEFT ALONE %s %s: %s; the next run takes it up%n", l.cloud(), l.family(), l.reason()));
            }
            return text.toString();
        }
    }
}
