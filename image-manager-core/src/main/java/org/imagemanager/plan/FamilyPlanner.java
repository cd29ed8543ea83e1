package org.imagemanager.plan;

import org.imagemanager.definition.ImageDefinition;
import org.imagemanager.definition.VersionDefinition;
import org.imagemanager.event.ImageAction;
import org.imagemanager.event.ImportImage;
import org.imagemanager.event.RenameImage;
import org.imagemanager.event.SetVisibility;
import org.imagemanager.naming.ImageNaming;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The reconciliation of one image family: (definition, images the cloud has, options) → plan. Pure: no I/O, no
 * clock, no randomness; the same input always gives the same plan with the same action ids.
 */
public final class FamilyPlanner {
    private FamilyPlanner() {
    }

    public static FamilyPlan plan(String cloud, ImageDefinition definition, List<ObservedImage> observed, PlanOptions options) {
        List<ObservedImage> family = observed.stream()
                .filter(image -> image.tags().contains(options.managementTag()))
                .filter(image -> definition.name().equals(image.property(ImageProperties.FAMILY)))
                .toList();
        if (!definition.enabled()) {
            return new FamilyPlan(cloud, definition.name(), List.of(), List.of(), 0);
        }

        List<ImageAction> imports = new ArrayList<>();
        List<String> inProgress = new ArrayList<>();
        List<Present> present = new ArrayList<>();
        for (VersionDefinition version : definition.versions()) {
            Optional<ObservedImage> usable = newest(family, version.version(), ObservedImage::usable);
            if (usable.isPresent()) {
                present.add(new Present(version, usable.get()));
                continue;
            }
            Optional<ObservedImage> running = newest(family, version.version(), ObservedImage::importInProgress);
            if (running.isPresent() && !stale(running.get(), options)) {
                inProgress.add(running.get().name());
                continue;
            }
            imports.add(importOf(cloud, definition, version, options));
        }

        // The plain name of a multi image goes to the newest version that is actually there: an import that is
        // still running must not take it away from the image users boot today.
        String plainVersion = present.stream()
                .map(p -> p.version().version())
                .max(ImageNaming.versionOrder())
                .orElse(null);

        List<RenameImage> renames = new ArrayList<>();
        List<ImageAction> visibility = new ArrayList<>();
        int unchanged = 0;
        for (Present p : present) {
            String desiredName = ImageNaming.desiredName(definition, p.version().version(), plainVersion);
            String desiredVisibility = p.version().visibility() != null ? p.version().visibility() : definition.effectiveVisibility();
            boolean inLine = true;
            if (!desiredName.equals(p.image().name())) {
                renames.add(new RenameImage(ActionIds.of("rename", cloud, p.image().id(), p.image().name(), desiredName),
                        cloud, definition.name(), p.image().id(), p.image().name(), desiredName));
                inLine = false;
            }
            if (!desiredVisibility.equals(p.image().visibility())) {
                visibility.add(new SetVisibility(
                        ActionIds.of("visibility", cloud, p.image().id(), p.image().visibility(), desiredVisibility),
                        cloud, definition.name(), p.image().id(), desiredName, p.image().visibility(), desiredVisibility));
                inLine = false;
            }
            if (inLine) {
                unchanged++;
            }
        }

        List<ImageAction> actions = new ArrayList<>(imports);
        actions.addAll(orderRenames(renames));
        actions.addAll(visibility);
        return new FamilyPlan(cloud, definition.name(), actions, inProgress, unchanged);
    }

    /**
     * Renames that free a name come before renames that take it, so that two images never carry the same name.
     * (Rotation: {@code X -> X (old)} first, then {@code X (new) -> X}.)
     */
    static List<RenameImage> orderRenames(List<RenameImage> renames) {
        List<RenameImage> ordered = new ArrayList<>();
        Set<RenameImage> remaining = new LinkedHashSet<>(renames);
        while (!remaining.isEmpty()) {
            Set<String> stillTaken = new HashSet<>();
            remaining.forEach(r -> stillTaken.add(r.fromName()));
            RenameImage next = remaining.stream()
                    .filter(r -> !stillTaken.contains(r.toName()))
                    .findFirst()
                    // A cycle (two images swapping names) cannot be ordered safely; the rotator's precondition
                    // check refuses a rename onto a taken name, and the next plan resolves it.
                    .orElse(remaining.iterator().next());
            ordered.add(next);
            remaining.remove(next);
        }
        return ordered;
    }

    private static ImportImage importOf(String cloud, ImageDefinition definition, VersionDefinition version, PlanOptions options) {
        String actionId = ActionIds.of("import", cloud, definition.name(), version.version(), version.url(),
                String.valueOf(version.checksum()));
        var properties = new java.util.LinkedHashMap<>(ImageProperties.forVersion(definition, version));
        properties.put(ImageProperties.IMPORT_ID, actionId);
        List<String> tags = new ArrayList<>();
        tags.add(options.managementTag());
        Object distro = definition.meta().get("os_distro");
        if (distro != null) {
            tags.add("os:" + distro);
        }
        definition.tags().stream().filter(t -> !tags.contains(t)).forEach(tags::add);
        return new ImportImage(actionId, cloud, definition.name(), version.version(),
                ImageNaming.importName(definition, version.version()), version.url(), version.checksum(),
                definition.format(), definition.minDisk() == null ? 0 : definition.minDisk(),
                definition.minRam() == null ? 0 : definition.minRam(), properties, tags);
    }

    private static Optional<ObservedImage> newest(List<ObservedImage> family, String version,
                                                  java.util.function.Predicate<ObservedImage> state) {
        return family.stream()
                .filter(image -> version.equals(image.property(ImageProperties.INTERNAL_VERSION)))
                .filter(state)
                .max(Comparator.comparing(ObservedImage::createdAt, Comparator.nullsFirst(Comparator.naturalOrder())));
    }

    private static boolean stale(ObservedImage image, PlanOptions options) {
        return image.createdAt() != null && image.createdAt().plus(options.staleImport()).isBefore(options.now());
    }

    private record Present(VersionDefinition version, ObservedImage image) {
    }
}
