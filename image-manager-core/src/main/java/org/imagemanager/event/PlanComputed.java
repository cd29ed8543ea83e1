package org.imagemanager.event;

import java.time.Instant;
import java.util.List;

/**
 * The planner compared one family's definition with the cloud. {@code actions} are the ids of the actions it
 * published; {@code inProgress} names imports already running. Both empty means the family is in line.
 */
public record PlanComputed(String eventId, Instant time, String cloud, String family, List<String> actions,
                           List<String> descriptions, List<String> inProgress, int unchanged) implements ImageEvent {
    public PlanComputed {
        actions = List.copyOf(actions);
        descriptions = List.copyOf(descriptions);
        inProgress = List.copyOf(inProgress);
    }

    @Override
    public String key() {
        return EventKeys.of(cloud, family);
    }

    public boolean inLine() {
        return actions.isEmpty() && inProgress.isEmpty();
    }
}
