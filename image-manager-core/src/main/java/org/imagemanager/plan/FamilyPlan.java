package org.imagemanager.plan;

import org.imagemanager.event.Blocked;
import org.imagemanager.event.ImageAction;

import java.util.List;

/**
 * What it takes to bring one image family in line in one cloud.
 *
 * @param actions    to be carried out, in this order ({@link Blocked} entries are reports only)
 * @param inProgress names of images whose import is running (nothing to do for them now)
 * @param unchanged  number of versions already in line
 */
public record FamilyPlan(String cloud, String family, List<ImageAction> actions, List<String> inProgress, int unchanged) {
    public FamilyPlan {
        actions = List.copyOf(actions);
        inProgress = List.copyOf(inProgress);
    }

    public List<ImageAction> executable() {
        return actions.stream().filter(a -> !(a instanceof Blocked)).toList();
    }
}
