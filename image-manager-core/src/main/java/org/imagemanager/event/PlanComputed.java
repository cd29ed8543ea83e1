package org.imagemanager.event;

import java.time.Instant;
import java.util.List;

/**
 * The planner compared one family's definition with the cloud.
 *
 * @param actions    ids of the actions this plan published
 * @param inProgress names of imports already running
 * @param awaiting   ids of actions the plan needs that were published before and are still under way (or failed a
 *                   moment ago): not published again
 * @param trigger    why the plan was made: DEFINITION, OUTCOME, REBALANCE or RESYNC (drift, when it finds work)
 * @param leftAlone  set when another run holds the family's claim in this cloud (who, until when): then nothing was
 *                   planned, the family is that run's to finish this round
 */
public record PlanComputed(String eventId, Instant time, String cloud, String family, List<String> actions,
                           List<String> descriptions, List<String> inProgress, int unchanged, List<String> awaiting,
                           String trigger, String leftAlone) implements ImageEvent {
    public PlanComputed {
        actions = List.copyOf(actions);
        descriptions = List.copyOf(descriptions);
        inProgress = List.copyOf(inProgress);
        awaiting = awaiting == null ? List.of() : List.copyOf(awaiting);
    }

    public PlanComputed(String eventId, Instant time, String cloud, String family, List<String> actions,
                        List<String> descriptions, List<String> inProgress, int unchanged) {
        this(eventId, time, cloud, family, actions, descriptions, inProgress, unchanged, List.of(), null);
    }

    public PlanComputed(String eventId, Instant time, String cloud, String family, List<String> actions,
                        List<String> descriptions, List<String> inProgress, int unchanged, List<String> awaiting,
                        String trigger) {
        this(eventId, time, cloud, family, actions, descriptions, inProgress, unchanged, awaiting, trigger, null);
    }

    @Override
    public String key() {
        return EventKeys.of(cloud, family);
    }

    public boolean inLine() {
        return actions.isEmpty() && inProgress.isEmpty() && awaiting.isEmpty();
    }
}
