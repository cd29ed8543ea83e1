package org.imagemanager.plan;

import org.imagemanager.event.RenameImage;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

final class Renames {
    private Renames() {
    }

    /**
     * Renames that free a name come before renames that take it, so that two images never carry the same name.
     * (Rotation: {@code X -> X (old)} first, then {@code X (new) -> X}.)
     */
    static List<RenameImage> ordered(List<RenameImage> renames) {
        List<RenameImage> ordered = new ArrayList<>();
        Set<RenameImage> remaining = new LinkedHashSet<>(renames);
        RenameImage previous = null;
        while (!remaining.isEmpty()) {
            Set<String> stillTaken = new HashSet<>();
            remaining.forEach(r -> stillTaken.add(r.fromName()));
            // The rename taking the name the previous one just freed comes right after it: the window without an
            // image under that name is as short as two calls.
            String freed = previous == null || stillTaken.contains(previous.fromName()) ? null : previous.fromName();
            RenameImage next = remaining.stream()
                    .filter(r -> r.toName().equals(freed))
                    .findFirst()
                    .or(() -> remaining.stream().filter(r -> !stillTaken.contains(r.toName())).findFirst())
                    // A cycle cannot be ordered; the planner never plans one (it picks names outside the cycle).
                    .orElse(remaining.iterator().next());
            ordered.add(next);
            remaining.remove(next);
            previous = next;
        }
        return ordered;
    }
}
