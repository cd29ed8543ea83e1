package org.imagemanager.plan;

import org.imagemanager.event.Deactivate;
import org.imagemanager.event.ImageAction;
import org.imagemanager.event.Reactivate;
import org.imagemanager.event.RemoveProperties;
import org.imagemanager.event.SetHidden;
import org.imagemanager.event.SetMinimums;
import org.imagemanager.event.SetTags;
import org.imagemanager.event.SetVisibility;
import org.imagemanager.event.UpdateProperties;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The settings every present version's image must have: properties, tags, minimums, visibility, members,
 * {@code os_hidden} and status, as the definition says.
 *
 * <p>The seed's rotation of visible builds: of a {@code multi: true} family, the newest
 * {@link PlanOptions#visibleBuilds()} present builds keep their visibility; an older {@code public} build becomes
 * {@code community} (still bootable by id and by anyone who knows it, no longer listed to everyone), and every
 * older build is then retired like an undefined one ({@link #rotatedOut}). A build that is not public is never
 * widened to {@code community} by the rotation (only {@code --hide} does that, as to any retired image), and a
 * rotated-out build is not brought back from what the retirement made of it (community, deactivated).
 *
 * @param updates     the changes, per image in version order
 * @param unchanged   how many present versions need no change at all
 * @param rotatedOut  present builds older than the visible ones, newest first: candidates for retirement
 */
record DesiredState(List<ImageAction> updates, int unchanged, List<ObservedImage> rotatedOut) {
    static final String COMMUNITY = "community";

    static DesiredState of(Family family, Inventory inventory, Naming naming) {
        List<Inventory.Present> visibleFirst = inventory.present().stream()
                .sorted(Comparator.comparing(Inventory.Present::internalVersion, Reconciler.NATURAL).reversed())
                .toList();
        int visible = family.options().visibleBuilds();
        List<Inventory.Present> rotated = family.definition() != null && family.definition().hasRotatingName()
                && visible > 0 && visibleFirst.size() > visible ? visibleFirst.subList(visible, visibleFirst.size()) : List.of();

        List<ImageAction> updates = new ArrayList<>();
        int unchanged = 0;
        for (Inventory.Present p : inventory.present()) {
            List<ImageAction> changes = changes(family, p, naming.finalName(p.image()), naming.plainVersion(), rotated.contains(p));
            updates.addAll(changes);
            if (changes.isEmpty() && naming.finalName(p.image()).equals(p.image().name())) {
                unchanged++;
            }
        }
        return new DesiredState(updates, unchanged, rotated.stream().map(Inventory.Present::image).toList());
    }

    /**
     * The visibility a present build should have: the definition's, or {@code community} once a public build rotated
     * out. A rotated-out build that the retirement options ({@code --hide}) made community stays so.
     */
    private static String visibility(Family family, Inventory.Present p, boolean rotatedOut) {
        String defined = p.version().visibility() != null ? p.version().visibility() : family.definition().effectiveVisibility();
        if (!rotatedOut) {
            return defined;
        }
        if (COMMUNITY.equals(p.image().visibility())) {
            return COMMUNITY;
        }
        // in a round with a failed import nothing more is hidden (the retirement reports it suspended)
        return "public".equals(defined) && family.retirementAllowed() ? COMMUNITY : defined;
    }

    private static List<ImageAction> changes(Family family, Inventory.Present p, String desiredName, String plainVersion,
                                             boolean rotatedOut) {
        ObservedImage image = p.image();
        String cloud = family.cloud();
        String name = family.name();
        List<ImageAction> updates = new ArrayList<>();
        Map<String, String> properties = family.desiredProperties(p.version(), p.internalVersion(), p.upstreamChecksum());
        Map<String, String> set = new TreeMap<>();
        properties.forEach((key, value) -> {
            if (!value.equals(image.property(key))) {
                set.put(key, value);
            }
        });
        if (!set.isEmpty()) {
            updates.add(new UpdateProperties(ActionIds.of("properties", cloud, image.id(), set.toString()), cloud, name,
                    image.id(), desiredName, set));
        }
        List<String> remove = Stream.concat(ImageProperties.managedKeys(image).stream(),
                        image.properties().keySet().stream().filter(key -> key.startsWith(ImageProperties.MANAGED_KEYS)))
                .filter(key -> !properties.containsKey(key) && image.property(key) != null)
                .distinct()
                .sorted()
                .toList();
        if (!remove.isEmpty()) {
            updates.add(new RemoveProperties(ActionIds.of("unset", cloud, image.id(), remove.toString()), cloud, name,
                    image.id(), desiredName, remove));
        }
        List<String> tags = family.desiredTags();
        List<String> addTags = tags.stream().filter(t -> !image.tags().contains(t)).toList();
        List<String> removeTags = image.tags().stream().filter(t -> !tags.contains(t)).sorted().toList();
        if (!addTags.isEmpty() || !removeTags.isEmpty()) {
            updates.add(new SetTags(ActionIds.of("tags", cloud, image.id(), addTags.toString(), removeTags.toString()),
                    cloud, name, image.id(), desiredName, addTags, removeTags));
        }
        int minDisk = family.minDisk(image.sizeBytes());
        if (minDisk != image.minDisk() || family.minRam() != image.minRam()) {
            updates.add(new SetMinimums(ActionIds.of("minimums", cloud, image.id(), String.valueOf(minDisk),
                    String.valueOf(family.minRam())), cloud, name, image.id(), desiredName, minDisk, family.minRam()));
        }
        String visibility = visibility(family, p, rotatedOut);
        if (!visibility.equals(image.visibility())) {
            updates.add(new SetVisibility(ActionIds.of("visibility", cloud, image.id(), image.visibility(), visibility),
                    cloud, name, image.id(), desiredName, image.visibility(), visibility));
        }
        if (Family.SHARED.equals(visibility)) {
            updates.addAll(family.members(image, desiredName)); // after the visibility: Glance takes members only on shared images
        }
        if (family.options().useOsHidden()) {
            boolean hidden = p.version().hidden() != null ? p.version().hidden() : !p.internalVersion().equals(plainVersion);
            if (hidden != image.hidden()) {
                updates.add(new SetHidden(ActionIds.of("hidden", cloud, image.id(), String.valueOf(hidden)), cloud, name,
                        image.id(), desiredName, hidden));
            }
        }
        String status = family.definition().effectiveStatus();
        // a rotated-out build may have been deactivated by the retirement options: it is not brought back
        boolean reactivation = "active".equals(status);
        if (!status.equals(image.status()) && !(reactivation && rotatedOut)) {
            updates.add(reactivation
                    ? new Reactivate(ActionIds.of("reactivate", cloud, image.id()), cloud, name, image.id(), desiredName)
                    : new Deactivate(ActionIds.of("deactivate", cloud, image.id()), cloud, name, image.id(), desiredName,
                    "the definition says status: deactivated"));
        }
        return updates;
    }
}
