package org.imagemanager.plan;

import org.imagemanager.event.DeleteImage;

import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The remains of failed imports (killed, or queued far too long): they hold no data anyone could boot, so they are
 * removed, and never keep a name from the image that should have it.
 *
 * @param deletes   one delete per remain, by image id
 * @param vanishing the images these deletes remove (their names count as free for this plan's renames)
 */
record Cleanup(List<DeleteImage> deletes, Set<ObservedImage> vanishing) {
    static Cleanup of(Family family) {
        List<ObservedImage> remains = family.images().stream()
                .sorted(Comparator.comparing(ObservedImage::id))
                .filter(image -> !ImageProperties.verifiedAndUsable(image))
                .filter(image -> !(Family.importRunning(image) && !family.stale(image)))
                .filter(image -> !"deleted".equals(image.status()) && !"pending_delete".equals(image.status()))
                .toList();
        List<DeleteImage> deletes = remains.stream()
                .map(image -> new DeleteImage(ActionIds.of("cleanup", family.cloud(), image.id()), family.cloud(),
                        family.name(), image.id(), image.name(), "remains of a failed import (" + image.status() + ")"))
                .toList();
        return new Cleanup(deletes, remains.stream().collect(Collectors.toUnmodifiableSet()));
    }
}
