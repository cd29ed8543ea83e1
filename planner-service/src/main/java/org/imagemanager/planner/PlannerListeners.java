package org.imagemanager.planner;

import io.micronaut.configuration.kafka.annotation.ErrorStrategy;
import io.micronaut.configuration.kafka.annotation.ErrorStrategyValue;
import io.micronaut.configuration.kafka.annotation.KafkaKey;
import io.micronaut.configuration.kafka.annotation.KafkaListener;
import io.micronaut.configuration.kafka.annotation.OffsetReset;
import io.micronaut.configuration.kafka.annotation.OffsetStrategy;
import io.micronaut.configuration.kafka.annotation.Topic;
import io.micronaut.context.annotation.Requires;
import org.apache.kafka.common.IsolationLevel;
import org.imagemanager.event.DefinitionChanged;
import org.imagemanager.event.DefinitionEvent;
import org.imagemanager.event.DefinitionRemoved;
import org.imagemanager.event.EventJson;
import org.imagemanager.event.ImageEvent;
import org.imagemanager.event.ImageChanged;
import org.imagemanager.event.ImportFailed;
import org.imagemanager.event.ImportCompleted;

/** Triggers of the planner: definition changes and outcomes of earlier actions. */
@Requires(property = "image-manager.planner.enabled", notEquals = "false")
public final class PlannerListeners {
    private PlannerListeners() {
    }

    @KafkaListener(groupId = "${image-manager.kafka.group-prefix:image-manager}-planner-definitions",
            offsetReset = OffsetReset.EARLIEST, offsetStrategy = OffsetStrategy.SYNC_PER_RECORD,
            // the definitions service writes in transactions: an aborted commit must never reach a plan
            isolation = IsolationLevel.READ_COMMITTED,
            errorStrategy = @ErrorStrategy(value = ErrorStrategyValue.RETRY_ON_ERROR, retryCount = 3, retryDelay = "2s"))
    public static class Definitions {
        private final PlannerService planner;

        public Definitions(PlannerService planner) {
            this.planner = planner;
        }

        @Topic("${image-manager.topics.definitions:image-definitions}")
        public void receive(@KafkaKey String key, String value) {
            if (value == null) {
                planner.definitionRemoved(key); // the tombstone after a DefinitionRemoved (or alone, after compaction)
                return;
            }
            DefinitionEvent event = EventJson.decode(value, DefinitionEvent.class);
            switch (event) {
                case DefinitionChanged changed -> planner.definitionChanged(changed.definition());
                case DefinitionRemoved removed -> planner.definitionRemoved(removed.imageName());
            }
        }
    }

    @KafkaListener(groupId = "${image-manager.kafka.group-prefix:image-manager}-planner-outcomes",
            offsetReset = OffsetReset.EARLIEST, offsetStrategy = OffsetStrategy.SYNC_PER_RECORD,
            isolation = IsolationLevel.READ_COMMITTED,
            errorStrategy = @ErrorStrategy(value = ErrorStrategyValue.RETRY_ON_ERROR, retryCount = 3, retryDelay = "2s"))
    public static class Outcomes {
        private final PlannerService planner;

        public Outcomes(PlannerService planner) {
            this.planner = planner;
        }

        @Topic("${image-manager.topics.events:image-events}")
        public void receive(@KafkaKey String key, String value) {
            ImageEvent event = EventJson.decode(value, ImageEvent.class);
            // Only changes made in the cloud trigger a new plan; skips and failures do not (no retry storms).
            switch (event) {
                case ImportCompleted done -> planner.importCompleted(done.cloud(), done.family());
                case ImportFailed failed -> planner.importFailed(failed.cloud(), failed.family());
                case ImageChanged changed -> planner.replan(changed.cloud(), changed.family());
                default -> {
                }
            }
        }
    }
}
