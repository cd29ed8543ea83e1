package org.imagemanager.planner;

import io.micronaut.configuration.kafka.ConsumerAware;
import io.micronaut.configuration.kafka.annotation.ErrorStrategy;
import io.micronaut.configuration.kafka.annotation.ErrorStrategyValue;
import io.micronaut.configuration.kafka.annotation.KafkaKey;
import io.micronaut.configuration.kafka.annotation.KafkaListener;
import io.micronaut.configuration.kafka.annotation.OffsetReset;
import io.micronaut.configuration.kafka.annotation.OffsetStrategy;
import io.micronaut.configuration.kafka.annotation.Topic;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.imagemanager.event.ActionFailed;
import org.imagemanager.event.ActionSkipped;
import org.imagemanager.event.DefinitionChanged;
import org.imagemanager.event.DefinitionEvent;
import org.imagemanager.event.DefinitionRemoved;
import org.imagemanager.event.EventJson;
import org.imagemanager.event.ImageChanged;
import org.imagemanager.event.ImageEvent;
import org.imagemanager.event.ImportCompleted;
import org.imagemanager.event.ImportFailed;
import org.imagemanager.event.ImportProgress;
import org.imagemanager.event.LeftAlone;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Triggers of the planner: definition changes, outcomes of earlier actions, rebalances and the periodic resync.
 * {@code image-manager.planner.enabled=false} turns all of them off (e.g. a process that only imports).
 */
public final class PlannerListeners {
    private static final String ENABLED = "image-manager.planner.enabled";

    private PlannerListeners() {
    }

    /**
     * Every instance reads every definition (a group of its own, from the start of the compacted topic): a plan
     * needs all definitions, and which families an instance plans is decided by {@link Outcomes}' partitions. No
     * offset is committed, so the group disappears with its instance.
     *
     * <p>Read in batches: the planner plans only after a whole batch is applied, and only once the topic is read up
     * to where it ended at the start ({@link PlannerService#definitionsApplied}), so that an older version of a
     * definition still in the topic is never planned.
     */
    @Requires(property = ENABLED, notEquals = "false")
    @KafkaListener(groupId = "${image-manager.kafka.group-prefix:image-manager}-planner-definitions",
            uniqueGroupId = true, batch = true,
            offsetReset = OffsetReset.EARLIEST, offsetStrategy = OffsetStrategy.DISABLED,
            // the definitions service writes in transactions: an aborted commit must never reach a plan
            isolation = IsolationLevel.READ_COMMITTED,
            errorStrategy = @ErrorStrategy(value = ErrorStrategyValue.RETRY_ON_ERROR, retryCount = 3, retryDelay = "2s"))
    public static class Definitions implements ConsumerRebalanceListener, ConsumerAware<String, String> {
        private final PlannerService planner;
        private Consumer<String, String> consumer;
        /** Where each partition ended when it was first assigned: read up to there, the definitions are current. */
        private final Map<TopicPartition, Long> endAtStart = new HashMap<>();

        public Definitions(PlannerService planner) {
            this.planner = planner;
        }

        @Override
        public void setKafkaConsumer(Consumer<String, String> consumer) {
            this.consumer = consumer;
        }

        /** A tombstone has a null value (after a DefinitionRemoved, or alone after compaction). */
        @Topic("${image-manager.topics.definitions:image-definitions}")
        public void receive(List<ConsumerRecord<String, String>> records) {
            Set<String> changed = new LinkedHashSet<>();
            for (ConsumerRecord<String, String> record : records) {
                changed.add(apply(record.key(), record.value()));
            }
            planner.definitionsApplied(changed, caughtUp());
        }

        private String apply(String key, String value) {
            if (value == null) {
                planner.definitionRemoved(key);
                return key;
            }
            DefinitionEvent event = EventJson.decode(value, DefinitionEvent.class);
            return switch (event) {
                case DefinitionChanged changed -> {
                    planner.definitionChanged(changed.definition());
                    yield changed.definition().name();
                }
                case DefinitionRemoved removed -> {
                    planner.definitionRemoved(removed.imageName());
                    yield removed.imageName();
                }
            };
        }

        /** On the polling thread, like every use of the consumer. */
        private boolean caughtUp() {
            return endAtStart.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (planner.definitionsCurrent()) {
                return;
            }
            consumer.endOffsets(partitions).forEach(endAtStart::putIfAbsent);
            // an empty topic (or one with only aborted or compacted-away records) brings no batch: current at once
            planner.definitionsApplied(Set.of(), caughtUp());
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        }
    }

    /**
     * Outcomes, keyed by {@code cloud/family}, in one group shared by all planner instances: the partitions an
     * instance holds are the families it plans ({@link FamilyOwnership}).
     */
    @Requires(property = ENABLED, notEquals = "false")
    @KafkaListener(groupId = "${image-manager.kafka.group-prefix:image-manager}-planner-outcomes",
            offsetReset = OffsetReset.EARLIEST, offsetStrategy = OffsetStrategy.SYNC_PER_RECORD,
            isolation = IsolationLevel.READ_COMMITTED,
            errorStrategy = @ErrorStrategy(value = ErrorStrategyValue.RETRY_ON_ERROR, retryCount = 3, retryDelay = "2s"))
    public static class Outcomes implements ConsumerRebalanceListener, ConsumerAware<String, String> {
        private final PlannerService planner;
        private final String topic;
        private Consumer<String, String> consumer;

        public Outcomes(PlannerService planner, @Value("${image-manager.topics.events:image-events}") String topic) {
            this.planner = planner;
            this.topic = topic;
        }

        @Override
        public void setKafkaConsumer(Consumer<String, String> consumer) {
            this.consumer = consumer;
        }

        @Topic("${image-manager.topics.events:image-events}")
        public void receive(@KafkaKey String key, String value) {
            ImageEvent event = EventJson.decode(value, ImageEvent.class);
            switch (event) {
                case ImportCompleted done -> planner.importCompleted(done.cloud(), done.family(), done.actionId());
                case ImportFailed failed -> planner.importFailed(failed.cloud(), failed.family(), failed.actionId());
                case ImageChanged changed -> planner.actionAnswered(changed.cloud(), changed.family(), changed.actionId(), true);
                case ActionSkipped skipped -> planner.actionAnswered(skipped.cloud(), skipped.family(), skipped.actionId(), false);
                case ActionFailed failed -> planner.actionFailed(failed.actionId());
                // another run holds the family: nothing changed here; a later trigger (the resync) tries again
                case LeftAlone left -> planner.actionAnswered(left.cloud(), left.family(), left.actionId(), false);
                case ImportProgress progress -> planner.importProgress(progress.actionId());
                default -> {
                }
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            // on the polling thread: the consumer may be used here
            int count = consumer.partitionsFor(topic).size();
            Set<Integer> owned = consumer.assignment().stream().filter(p -> p.topic().equals(topic))
                    .map(TopicPartition::partition).collect(Collectors.toSet());
            planner.partitionsAssigned(owned, count);
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // from now until the next assignment, families of these partitions may be planned elsewhere
            int count = consumer.partitionsFor(topic).size();
            Set<Integer> kept = consumer.assignment().stream()
                    .filter(p -> p.topic().equals(topic) && !partitions.contains(p))
                    .map(TopicPartition::partition).collect(Collectors.toSet());
            planner.partitionsRevoked(kept, count);
        }
    }

    /** The periodic resync ({@code image-manager.plan.resync-interval}): how changes made by hand are corrected. */
    @Singleton
    @Requires(property = ENABLED, notEquals = "false")
    public static class Resync {
        private final PlannerService planner;

        public Resync(PlannerService planner) {
            this.planner = planner;
        }

        @Scheduled(fixedDelay = "${image-manager.plan.resync-interval:5m}", initialDelay = "${image-manager.plan.resync-interval:5m}")
        void resync() {
            planner.resync();
        }
    }
}
