package org.imagemanager.plan;

import org.imagemanager.definition.DefinitionSchema;
import org.imagemanager.definition.VersionDefinition;
import org.imagemanager.event.Blocked;
import org.imagemanager.event.ImageAction;
import org.imagemanager.event.ImportImage;
import org.imagemanager.naming.ImageNaming;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The first step of a family's plan: which defined versions are present in the cloud, which are being imported,
 * and which are to be imported now.
 *
 * @param present    the defined versions that have a usable image, oldest first
 * @param imports    the imports to start
 * @param inProgress names of images whose import is running
 * @param blocked    reports: imports that cannot be started
 */
record Inventory(List<Present> present, List<ImageAction> imports, List<String> inProgress, List<Blocked> blocked) {
    static final Inventory NONE = new Inventory(List.of(), List.of(), List.of(), List.of());

    /** A defined version and the image that is it. */
    record Present(VersionDefinition version, ObservedImage image, String internalVersion, String upstreamChecksum) {
    }

    static Inventory of(Family family) {
        if (family.definition() == null) {
            return NONE;
        }
        List<Present> present = new ArrayList<>();
        List<ImageAction> imports = new ArrayList<>();
        List<String> inProgress = new ArrayList<>();
        List<Blocked> blocked = new ArrayList<>();
        List<VersionDefinition> versions = family.definition().versions().stream()
                .sorted(Comparator.comparing(VersionDefinition::version, Reconciler.NATURAL))
                .toList();
        String newestDefined = versions.isEmpty() ? null : versions.getLast().version();
        Set<String> importable = importableVersions(family, versions);
        for (VersionDefinition version : versions) {
            boolean latest = DefinitionSchema.LATEST.equals(version.version());
            Upstream upstream = latest ? family.inputs().upstream().get(family.name()) : null;
            if (latest && upstream == null) {
                blocked.add(family.blocked(null, "what upstream publishes for 'latest' is not known yet (checksum not resolved)"));
                // keep what is there: the newest usable build counts as present, exactly as it is, until upstream is
                // known again; nothing is imported without a known digest, and its stored upstream_checksum (whichever
                // form) stays as it is
                family.images().stream().filter(ImageProperties::verifiedAndUsable)
                        .filter(i -> i.property(ImageProperties.UPSTREAM_CHECKSUM) != null)
                        .sorted(Reconciler.NEWEST_FIRST).findFirst()
                        .ifPresent(build -> present.add(new Present(version, build, Family.versionOf(build),
                                build.property(ImageProperties.UPSTREAM_CHECKSUM))));
                continue;
            }
            List<ObservedImage> matching;
            String internalVersion;
            if (latest) {
                matching = family.images().stream()
                        .filter(i -> ImageProperties.sameUpstream(upstream.checksum(), i.property(ImageProperties.UPSTREAM_CHECKSUM)))
                        .toList();
                internalVersion = uniqueBuildVersion(family, upstream);
            } else {
                matching = family.images().stream()
                        .filter(i -> version.version().equals(i.property(ImageProperties.INTERNAL_VERSION)))
                        .filter(i -> i.property(ImageProperties.UPSTREAM_CHECKSUM) == null)
                        .toList();
                internalVersion = version.version();
            }
            Optional<ObservedImage> usable = matching.stream().filter(ImageProperties::verifiedAndUsable)
                    .sorted(Reconciler.NEWEST_FIRST).findFirst();
            if (usable.isPresent()) {
                String kept = usable.get().property(ImageProperties.INTERNAL_VERSION);
                present.add(new Present(version, usable.get(), latest && kept != null ? kept : internalVersion,
                        Family.upstreamChecksum(upstream)));
                continue;
            }
            Optional<ObservedImage> running = matching.stream().filter(Family::importRunning)
                    .filter(i -> !family.stale(i)).findFirst();
            if (running.isPresent()) {
                inProgress.add(running.get().name());
                continue;
            }
            if (family.options().latestOnly() && family.definition().hasRotatingName() && !version.version().equals(newestDefined)) {
                continue;
            }
            if (!importable.contains(version.version())) {
                continue; // older than the visible builds: it would only be hidden (and maybe deleted) right away
            }
            String name = ImageNaming.importName(family.definition(), internalVersion);
            Optional<ObservedImage> holder = blockingHolder(family, name, version.version().equals(newestDefined));
            if (holder.isPresent()) {
                blocked.add(family.blocked(holder.get().name(), Blocked.NAME_TAKEN + holder.get().id()));
            } else {
                imports.add(planImport(family, version, name, internalVersion, upstream));
            }
        }
        return new Inventory(present, imports, inProgress, blocked);
    }

    /**
     * The versions that may be imported: all of them, except for a {@code multi: true} family with a limit of
     * visible builds, where only the newest that many are (an older build would become {@code community} at once).
     */
    private static Set<String> importableVersions(Family family, List<VersionDefinition> oldestFirst) {
        int visible = family.options().visibleBuilds();
        List<String> all = oldestFirst.stream().map(VersionDefinition::version).toList();
        if (!family.definition().hasRotatingName() || visible <= 0 || all.size() <= visible) {
            return Set.copyOf(all);
        }
        return Set.copyOf(all.subList(all.size() - visible, all.size()));
    }

    /**
     * The internal version of a new upstream build: its day, made unique when an earlier build of the same day
     * is there (a same-day rebuild becomes {@code 20240610.2}), so two builds never want one name.
     */
    private static String uniqueBuildVersion(Family family, Upstream upstream) {
        String day = upstream.internalVersion();
        Set<String> taken = family.images().stream()
                .filter(i -> !ImageProperties.sameUpstream(upstream.checksum(), i.property(ImageProperties.UPSTREAM_CHECKSUM)))
                .map(i -> i.property(ImageProperties.INTERNAL_VERSION))
                .filter(Objects::nonNull)
                .collect(Collectors.toSet());
        String candidate = day;
        for (int n = 2; taken.contains(candidate); n++) {
            candidate = day + "." + n;
        }
        return candidate;
    }

    /** The image that holds a name this import needs and that is not ours to move, if any. */
    private static Optional<ObservedImage> nameHolder(Family family, String name) {
        // the family's own unusable images (a killed or abandoned import) don't count: the importer removes them
        return family.names().holdersOf(name).stream()
                .filter(holder -> !(family.images().contains(holder) && !ImageProperties.verifiedAndUsable(holder)))
                .findFirst();
    }

    /**
     * The names an import needs: its own, and for the newest build of a {@code multi: true} family also the plain
     * name it will take, unless an image of the family can move it aside. An image outside the family (unmanaged,
     * or with another management tag, e.g. a build the reference tool already renamed) would keep it for ever: the
     * import would only make a second image of the same build.
     */
    private static List<String> neededNames(Family family, String importName, boolean newest) {
        if (!newest || !family.definition().hasRotatingName()) {
            return List.of(importName);
        }
        return List.of(importName, family.name());
    }

    private static Optional<ObservedImage> blockingHolder(Family family, String importName, boolean newest) {
        for (String name : neededNames(family, importName, newest)) {
            Optional<ObservedImage> holder = nameHolder(family, name)
                    .filter(h -> name.equals(importName) || !family.images().contains(h));
            if (holder.isPresent()) {
                return holder;
            }
        }
        return Optional.empty();
    }

    private static ImageAction planImport(Family family, VersionDefinition version, String name, String internalVersion,
                                          Upstream upstream) {
        String checksum = upstream != null ? upstream.checksum() : version.checksum();
        String actionId = ActionIds.of("import", family.cloud(), family.name(), internalVersion, version.url(), String.valueOf(checksum));
        Map<String, String> properties = family.desiredProperties(version, internalVersion, Family.upstreamChecksum(upstream));
        properties.put(ImageProperties.IMPORT_ID, actionId);
        return new ImportImage(actionId, family.cloud(), family.name(), version.version(), name, version.url(),
                version.mirrorUrl(), checksum, upstream != null ? null : version.checksumUrl(),
                upstream != null ? null : version.checksumsUrl(), family.definition().format(), family.minDisk(null),
                family.minRam(), properties, family.desiredTags(), version.id());
    }
}
