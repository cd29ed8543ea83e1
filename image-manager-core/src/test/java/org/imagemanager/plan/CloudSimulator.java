package org.imagemanager.plan;

import org.imagemanager.event.AddImageMember;
import org.imagemanager.event.Blocked;
import org.imagemanager.event.Deactivate;
import org.imagemanager.event.DeleteImage;
import org.imagemanager.event.ExistingImageAction;
import org.imagemanager.event.ImageAction;
import org.imagemanager.event.ImportImage;
import org.imagemanager.event.Reactivate;
import org.imagemanager.event.RemoveImageMember;
import org.imagemanager.event.RemoveProperties;
import org.imagemanager.event.RenameImage;
import org.imagemanager.event.SetHidden;
import org.imagemanager.event.SetMinimums;
import org.imagemanager.event.SetTags;
import org.imagemanager.event.SetVisibility;
import org.imagemanager.event.UpdateProperties;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A pure, test-only model of Glance that carries out a plan: each executable action does what its name says to the
 * image with its id (an {@link ImportImage} creates an active, private image), in plan order. It is deliberately
 * as permissive as Glance itself (names are not unique there): it does not refuse a rename onto a taken name the way
 * the rotator does, it records it, so that a property can tell whether a plan ever makes two images carry one name.
 *
 * <p>The one piece of worker behaviour it models is the importer's clean-up before an import (see ImportService):
 * leftovers of the same import (same import id) or dead images of the family under the import's name are removed
 * first, and an import whose image already exists (same import id, usable) does nothing.
 *
 * <p>{@link #refusingTakenNames} makes it behave like the workers instead: the rotator skips a rename while another
 * image carries the target name (or the image is no longer called {@code fromName}), the importer fails an import
 * whose name is taken. Such refused actions change nothing and are listed in {@link Result#refused()}.
 *
 * <p>State between rounds (generated ids, the clock for {@code created_at}) lives in the instance, so that a
 * simulator applied to several plans in a row behaves like one cloud. Everything is deterministic.
 */
final class CloudSimulator {
    /** One action carried out, and the cloud right after it. */
    record Step(int index, ImageAction action, List<ObservedImage> after) {
    }

    /** A moment (right after {@code step}) at which more than one image carried {@code name}. */
    record DuplicateName(int step, ImageAction action, String name, List<String> imageIds) {
    }

    /** The cloud before and after a plan, every step in between, and every moment a name was carried twice. */
    record Result(List<ObservedImage> before, List<ObservedImage> after, List<Step> steps,
                  List<DuplicateName> duplicates, List<ImageAction> refused) {
        /** The cloud before step {@code index} (the state the action found). */
        List<ObservedImage> beforeStep(int index) {
            return index == 0 ? before : steps.get(index - 1).after();
        }
    }

    private final String owner;
    private final boolean refuseTakenNames;
    private Instant clock;
    private int nextId = 1;

    /**
     * @param owner      the project that owns what an import creates
     * @param clockStart {@code created_at} of the first import; every further import is an hour later
     */
    CloudSimulator(String owner, Instant clockStart) {
        this(owner, clockStart, false);
    }

    private CloudSimulator(String owner, Instant clockStart, boolean refuseTakenNames) {
        this.owner = owner;
        this.clock = clockStart;
        this.refuseTakenNames = refuseTakenNames;
    }

    /**
     * This cloud from now on, but refusing renames and imports onto a name another image carries, as the workers do
     * (ids and clock go on from here).
     */
    CloudSimulator refusingTakenNames() {
        CloudSimulator strict = new CloudSimulator(owner, clock, true);
        strict.nextId = nextId;
        return strict;
    }

    /** The size an import of this file has: deterministic, mostly below 1 GiB, sometimes above (to raise min_disk). */
    static long sizeOf(String family, String version) {
        int h = Math.floorMod((family + "\u0000" + version).hashCode(), 4000);
        return (64L << 20) + ((long) h << 20); // 64 MiB .. ~3.96 GiB
    }

    Result apply(Plan plan, List<ObservedImage> cloud) {
        return apply(plan.executable(), cloud);
    }

    /** Applies the actions in order ({@link Blocked} reports are skipped); fails on an action on a missing image. */
    Result apply(List<ImageAction> actions, List<ObservedImage> cloud) {
        List<ObservedImage> before = List.copyOf(cloud);
        List<ObservedImage> current = new ArrayList<>(cloud);
        List<Step> steps = new ArrayList<>();
        List<DuplicateName> duplicates = new ArrayList<>();
        List<ImageAction> refused = new ArrayList<>();
        for (ImageAction action : actions) {
            if (action instanceof Blocked) {
                continue;
            }
            if (refuseTakenNames && refuses(action, current)) {
                refused.add(action);
                continue;
            }
            current = applyOne(action, current);
            int index = steps.size();
            steps.add(new Step(index, action, List.copyOf(current)));
            // names as this project's users see them: its own images and public ones
            duplicatesIn(current.stream().filter(i -> i.visibleTo(owner)).toList())
                    .forEach((name, ids) -> duplicates.add(new DuplicateName(index, action, name, ids)));
        }
        return new Result(before, List.copyOf(current), List.copyOf(steps), List.copyOf(duplicates),
                List.copyOf(refused));
    }

    /**
     * What RotatorService and ImportService refuse: a rename or import onto a name another image carries (for this
     * project: its own images and public ones, see {@code GlanceClient.nameHolders}).
     */
    private boolean refuses(ImageAction action, List<ObservedImage> all) {
        List<ObservedImage> cloud = all.stream().filter(i -> i.visibleTo(owner)).toList();
        if (action instanceof RenameImage a) {
            Optional<ObservedImage> image = all.stream().filter(i -> i.id().equals(a.imageId())).findFirst();
            return image.isPresent() && (!a.fromName().equals(image.get().name())
                    || cloud.stream().anyMatch(i -> i.name().equals(a.toName())));
        }
        if (action instanceof ImportImage a) {
            // the importer first removes its own leftovers (see importImage), then refuses a taken name
            return cloud.stream().filter(i -> i.name().equals(a.imageName()))
                    .anyMatch(i -> i.usable() || !a.family().equals(i.property(ImageProperties.FAMILY)));
        }
        return false;
    }

    /** Names carried by more than one image, with the ids of their holders. */
    static Map<String, List<String>> duplicatesIn(List<ObservedImage> cloud) {
        Map<String, List<String>> byName = new TreeMap<>();
        cloud.forEach(image -> byName.computeIfAbsent(image.name(), k -> new ArrayList<>()).add(image.id()));
        byName.values().removeIf(ids -> ids.size() < 2);
        return byName;
    }

    private List<ObservedImage> applyOne(ImageAction action, List<ObservedImage> cloud) {
        List<ObservedImage> next = new ArrayList<>(cloud);
        if (action instanceof ImportImage a) {
            return importImage(a, next);
        }
        ExistingImageAction existing = (ExistingImageAction) action;
        int at = indexOf(next, existing.imageId())
                .orElseThrow(() -> new AssertionError("the plan acts on image " + existing.imageId()
                        + ", which does not exist (any more): " + action.describe()));
        ObservedImage image = next.get(at);
        switch (existing) {
            case RenameImage a -> next.set(at, with(image, a.toName(), image.status(), image.visibility(),
                    image.properties(), image.tags(), image.minDisk(), image.minRam(), image.hidden()));
            case SetVisibility a -> next.set(at, with(image, image.name(), image.status(), a.to(),
                    image.properties(), image.tags(), image.minDisk(), image.minRam(), image.hidden()));
            case UpdateProperties a -> {
                Map<String, String> properties = new LinkedHashMap<>(image.properties());
                properties.putAll(a.set());
                next.set(at, with(image, image.name(), image.status(), image.visibility(), properties, image.tags(),
                        image.minDisk(), image.minRam(), image.hidden()));
            }
            case RemoveProperties a -> {
                Map<String, String> properties = new LinkedHashMap<>(image.properties());
                a.keys().forEach(properties::remove);
                next.set(at, with(image, image.name(), image.status(), image.visibility(), properties, image.tags(),
                        image.minDisk(), image.minRam(), image.hidden()));
            }
            case SetTags a -> {
                Set<String> tags = new LinkedHashSet<>(image.tags());
                tags.addAll(a.add());
                a.remove().forEach(tags::remove);
                next.set(at, with(image, image.name(), image.status(), image.visibility(), image.properties(),
                        List.copyOf(tags), image.minDisk(), image.minRam(), image.hidden()));
            }
            case SetMinimums a -> next.set(at, with(image, image.name(), image.status(), image.visibility(),
                    image.properties(), image.tags(), a.minDisk(), a.minRam(), image.hidden()));
            case SetHidden a -> next.set(at, with(image, image.name(), image.status(), image.visibility(),
                    image.properties(), image.tags(), image.minDisk(), image.minRam(), a.hidden()));
            case Deactivate a -> next.set(at, with(image, image.name(), "deactivated", image.visibility(),
                    image.properties(), image.tags(), image.minDisk(), image.minRam(), image.hidden()));
            case Reactivate a -> next.set(at, with(image, image.name(), "active", image.visibility(),
                    image.properties(), image.tags(), image.minDisk(), image.minRam(), image.hidden()));
            case DeleteImage a -> next.remove(at);
            case AddImageMember a -> {
                if (!"shared".equals(image.visibility())) {
                    break; // Glance refuses members on any other image: a plan that shares too early never converges
                }
                List<ObservedImage.Member> members = new ArrayList<>(image.members());
                members.removeIf(m -> m.projectId().equals(a.projectId()));
                // without accept, the project's own answer stays (the rotator skips an existing member)
                String status = a.accept() ? ObservedImage.Member.ACCEPTED
                        : image.member(a.projectId()).map(ObservedImage.Member::status).orElse("pending");
                members.add(new ObservedImage.Member(a.projectId(), status));
                next.set(at, image.withMembers(members));
            }
            case RemoveImageMember a -> next.set(at, image.withMembers(image.members().stream()
                    .filter(m -> !m.projectId().equals(a.projectId())).toList()));
        }
        return next;
    }

    private List<ObservedImage> importImage(ImportImage a, List<ObservedImage> cloud) {
        String managementTag = a.tags().getFirst();
        List<ObservedImage> earlier = cloud.stream()
                .filter(image -> image.tags().contains(managementTag))
                .filter(image -> a.actionId().equals(image.property(ImageProperties.IMPORT_ID))
                        || (!image.usable() && a.family().equals(image.property(ImageProperties.FAMILY))
                        && a.imageName().equals(image.name())))
                .toList();
        if (earlier.stream().anyMatch(ObservedImage::usable)) {
            return cloud; // the importer recognises a replay: already imported
        }
        List<ObservedImage> next = new ArrayList<>(cloud);
        next.removeAll(earlier); // leftovers of an interrupted import
        String id = a.fixedId() != null ? a.fixedId() : String.format("img-%04d", nextId++);
        Instant created = clock;
        clock = clock.plus(Duration.ofHours(1));
        next.add(new ObservedImage(id, a.imageName(), "active", "private", a.diskFormat(), a.properties(), a.tags(),
                created, owner, sizeOf(a.family(), a.version()), a.minDisk(), a.minRam(), false));
        return next;
    }

    private static Optional<Integer> indexOf(List<ObservedImage> cloud, String id) {
        for (int i = 0; i < cloud.size(); i++) {
            if (cloud.get(i).id().equals(id)) {
                return Optional.of(i);
            }
        }
        return Optional.empty();
    }

    private static ObservedImage with(ObservedImage i, String name, String status, String visibility,
                                      Map<String, String> properties, List<String> tags, int minDisk, int minRam,
                                      boolean hidden) {
        return new ObservedImage(i.id(), name, status, visibility, i.diskFormat(), properties, tags, i.createdAt(),
                i.owner(), i.sizeBytes(), minDisk, minRam, hidden, membersShown(visibility, i.members()));
    }

    /**
     * The members the planner sees: Glance lists them only while the image is shared. (It keeps them when the image
     * stops being shared and shows them again when it is shared again; the next plan then removes any it no longer
     * wants. That extra round is not modelled here.)
     */
    static List<ObservedImage.Member> membersShown(String visibility, List<ObservedImage.Member> members) {
        return "shared".equals(visibility) ? members : List.of();
    }
}
