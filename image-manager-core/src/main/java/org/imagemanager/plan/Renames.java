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
        while (!remaining.isEmpty()) {
            Set<String> stillTaken = new HashSet<>();
            remaining.forEach(r -> stillTaken.add(r.fromName()));
            RenameImage next = remaining.stream()
                    .filter(r -> !stillTaken.contains(r.toName()))
                    .findFirst()
                    // A cycle (images swapping names) cannot be ordered safely; the rotator refuses a rename onto a
                    // taken name, and the next plan resolves it.
                    .orElse(remaining.iterator().next());
            ordered.add(next);
            remaining.remove(next);
        }
        return ordered;
    }
}
