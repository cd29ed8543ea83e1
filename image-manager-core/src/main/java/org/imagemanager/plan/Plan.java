package org.imagemanager.plan;

import org.imagemanager.event.Blocked;
import org.imagemanager.event.ImageAction;

import java.util.List;
import java.util.Optional;

/**
 * Everything it takes to bring one cloud in line, family by family, in the order it must be carried out.
 * An empty plan (no executable actions, nothing in progress) means the cloud is in line.
 */
public record Plan(String cloud, List<FamilyPlan> families, List<AgeReport.Finding> ageReport) {
    public Plan {
        families = List.copyOf(families);
        ageReport = List.copyOf(ageReport);
    }

    public List<ImageAction> actions() {
        return families.stream().flatMap(f -> f.actions().stream()).toList();
    }

    /** The actions that change the cloud (everything but {@link Blocked} reports). */
    public List<ImageAction> executable() {
        return actions().stream().filter(a -> !(a instanceof Blocked)).toList();
    }

    public Optional<FamilyPlan> family(String name) {
        return families.stream().filter(f -> f.family().equals(name)).findFirst();
    }

    public boolean inLine() {
        return executable().isEmpty() && families.stream().allMatch(f -> f.inProgress().isEmpty());
    }
}
