package org.imagemanager.plan;

import org.imagemanager.event.Blocked;
import org.imagemanager.event.RenameImage;
import org.imagemanager.naming.ImageNaming;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The names of a family's images: the plain name of a {@code multi: true} family on its newest present build, older
 * builds under their suffixed names, and the renames that get there.
 *
 * @param outdated      the family's usable images that no defined version is, newest first
 * @param plainVersion  the internal version that carries (or takes) the plain name; null without present versions
 * @param finalNames    the name each image carries after the renames
 * @param keepsPlainName an outdated image that keeps the plain name because nothing can take its place (or null)
 * @param renames       the renames, in any order ({@link Renames#ordered} orders them)
 * @param blocked       reports: renames refused because their name stays taken
 */
record Naming(List<ObservedImage> outdated, String plainVersion, Map<ObservedImage, String> finalNames,
              ObservedImage keepsPlainName, List<RenameImage> renames, List<Blocked> blocked) {

    String finalName(ObservedImage image) {
        return finalNames.getOrDefault(image, image.name());
    }

    /** The outdated images that no longer carry the plain name: the candidates for retirement. */
    List<ObservedImage> retirable(String family) {
        return outdated.stream()
                .filter(image -> image != keepsPlainName)
                .filter(image -> !family.equals(finalName(image)))
                .toList();
    }

    static Naming of(Family family, Inventory inventory, Cleanup cleanup) {
        List<Inventory.Present> present = inventory.present();
        List<ObservedImage> presentImages = present.stream().map(Inventory.Present::image).toList();
        List<ObservedImage> outdated = family.images().stream()
                .filter(ImageProperties::verifiedAndUsable)
                .filter(image -> !presentImages.contains(image))
                .sorted(Reconciler.NEWEST_FIRST)
                .toList();
        boolean rotating = family.definition() != null ? family.definition().hasRotatingName()
                : outdated.stream().anyMatch(i -> i.name().equals(family.name()));
        String plainVersion = present.stream().map(Inventory.Present::internalVersion).max(Reconciler.NATURAL).orElse(null);
        NameRegistry names = family.names();

        // First every name this family wants, then the renames: a rename may take a name only from an image that
        // moves away in the same plan (the order of the renames then frees it first).
        Map<ObservedImage, String> wanted = new LinkedHashMap<>();
        ObservedImage plainHolder = null;
        Set<String> presentNames = new HashSet<>();
        for (Inventory.Present p : present) {
            presentNames.add(p.image().name());
            presentNames.add(rotating ? ImageNaming.suffixedName(family.definition(), p.internalVersion())
                    : ImageNaming.desiredName(family.definition(), p.internalVersion(), null));
        }
        for (ObservedImage image : outdated) {
            if (rotating && image.name().equals(family.name())) {
                if (plainVersion != null) {
                    // a newer image takes the plain name: move this one aside, under a name nobody else has or wants
                    // (an old duplicate of a present version gets its id in the suffix: no swap cycles)
                    String aside = family.suffixed(image);
                    Predicate<String> taken = candidate -> presentNames.contains(candidate)
                            || !names.holdersOf(candidate).isEmpty() || wanted.containsValue(candidate);
                    wanted.put(image, taken.test(aside) ? family.withId(Family.versionOf(image), image, taken) : aside);
                } else {
                    plainHolder = image; // nothing can take its place: it keeps the name and is not retired
                }
            }
        }
        for (Inventory.Present p : present) {
            String name;
            if (!rotating) {
                name = ImageNaming.desiredName(family.definition(), p.internalVersion(), null);
            } else if (p.internalVersion().equals(plainVersion)) {
                name = family.name();
            } else {
                // an older build's suffixed name; if an image outside the family has it, one with the id
                name = ImageNaming.suffixedName(family.definition(), p.internalVersion());
                String wantedName = name;
                if (!p.image().name().equals(name) && names.holdersOf(name).stream().anyMatch(h -> h != p.image()
                        && !cleanup.vanishing().contains(h) && !(wanted.containsKey(h) && !wanted.get(h).equals(wantedName)))) {
                    name = family.withId(p.internalVersion(), p.image(), candidate -> wanted.containsValue(candidate)
                            || names.holdersOf(candidate).stream().anyMatch(h -> h != p.image()));
                }
            }
            wanted.put(p.image(), name);
        }
        return renamed(family, cleanup, wanted, outdated, plainVersion, plainHolder);
    }

    /**
     * Plans the renames to the wanted names. A rename whose name stays taken (by an image outside the family, or one
     * that keeps it, or that two images want) is blocked instead: never two images with one name.
     */
    private static Naming renamed(Family family, Cleanup cleanup, Map<ObservedImage, String> wanted,
                                  List<ObservedImage> outdated, String plainVersion, ObservedImage plainHolder) {
        Map<String, Long> demand = wanted.values().stream().collect(Collectors.groupingBy(n -> n, Collectors.counting()));
        Map<ObservedImage, String> moving = new LinkedHashMap<>();
        wanted.forEach((image, to) -> {
            if (!to.equals(image.name())) {
                moving.put(image, to);
            }
        });
        // A rename may take a name only from images that really move away; a holder whose own rename is refused
        // stays, and so refuses the renames that needed its name (repeat until nothing changes).
        Map<ObservedImage, String> refused = new LinkedHashMap<>();
        boolean changed = true;
        while (changed) {
            changed = false;
            for (Map.Entry<ObservedImage, String> entry : List.copyOf(moving.entrySet())) {
                ObservedImage image = entry.getKey();
                String to = entry.getValue();
                Optional<ObservedImage> staying = family.names().holdersOf(to).stream()
                        .filter(holder -> holder != image && !moving.containsKey(holder) && !cleanup.vanishing().contains(holder))
                        .findFirst();
                if (staying.isPresent() || demand.get(to) > 1) {
                    moving.remove(image);
                    refused.put(image, "cannot rename to '" + to + "': the name is taken by image "
                            + staying.map(ObservedImage::id).orElse("(wanted twice)"));
                    changed = true;
                }
            }
            // The plain name moves only as a whole: when no image can take it now, the one carrying it keeps it
            // (rather than leaving the family without an image under its name until the next round).
            boolean keptByTheRightImage = wanted.entrySet().stream()
                    .anyMatch(e -> e.getValue().equals(family.name()) && e.getKey().name().equals(family.name()));
            if (!moving.containsValue(family.name()) && !keptByTheRightImage) {
                for (ObservedImage holder : List.copyOf(moving.keySet())) {
                    if (holder.name().equals(family.name()) && family.images().contains(holder)) {
                        moving.remove(holder);
                        changed = true;
                    }
                }
            }
        }
        Map<ObservedImage, String> finalNames = new LinkedHashMap<>();
        List<RenameImage> renames = new ArrayList<>();
        List<Blocked> blocked = new ArrayList<>();
        for (ObservedImage image : wanted.keySet()) {
            String to = moving.get(image);
            if (to != null) {
                renames.add(new RenameImage(ActionIds.of("rename", family.cloud(), image.id(), image.name(), to),
                        family.cloud(), family.name(), image.id(), image.name(), to));
                finalNames.put(image, to);
            } else {
                finalNames.put(image, image.name());
                if (refused.containsKey(image)) {
                    blocked.add(family.blocked(image, image.name(), refused.get(image)));
                }
            }
        }
        return new Naming(outdated, plainVersion, finalNames, plainHolder, renames, blocked);
    }
}
