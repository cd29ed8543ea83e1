package org.imagemanager.plan;

import org.imagemanager.definition.DefinitionSchema;
import org.imagemanager.definition.ImageDefinition;
import org.imagemanager.definition.VersionDefinition;
import org.imagemanager.event.AddImageMember;
import org.imagemanager.event.Blocked;
import org.imagemanager.event.DeleteImage;
import org.imagemanager.event.ExistingImageAction;
import org.imagemanager.event.ImageAction;
import org.imagemanager.event.ImportImage;
import org.imagemanager.event.RemoveImageMember;
import org.imagemanager.event.RenameImage;
import org.imagemanager.event.SetVisibility;
import org.imagemanager.naming.ImageNaming;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The heart of Image Manager: (image definitions, the images a cloud has, options) → plan. Pure: no I/O, no clock,
 * no randomness; the same input always gives the same plan with the same action ids, and a cloud that is in line
 * gives an empty plan.
 *
 * <p>Safety rules it keeps:
 * <ul>
 *   <li>only images with the management tag (and, with a project, owned by it or public) are ever in a plan;</li>
 *   <li>the plain name of a {@code multi: true} family moves only to an image that is there and usable, and the
 *       rename freeing it comes right before the rename taking it: never two images with one name, never none
 *       while one could have it;</li>
 *   <li>the image that carries (or keeps) the plain name is never retired;</li>
 *   <li>nothing is retired in a round with a failed import, nothing is deleted without confirmation, and
 *       {@code keep: true} images are never deleted.</li>
 * </ul>
 */
public final class Reconciler {
    private static final Comparator<String> NATURAL = ImageNaming.versionOrder();
    private static final String SHARED = "shared";

    private Reconciler() {
    }

    /**
     * @param upstream      per family with a {@code latest} version: what upstream publishes now (resolved at the edge)
     * @param failedImports families with an import that failed in this round: no retirement anywhere this round
     */
    public record Inputs(Map<String, Upstream> upstream, Set<String> failedImports) {
        public static final Inputs NONE = new Inputs(Map.of(), Set.of());

        public Inputs {
            upstream = Map.copyOf(upstream);
            failedImports = Set.copyOf(failedImports);
        }
    }

    public static Plan plan(Collection<ImageDefinition> definitions, List<ObservedImage> observed, PlanOptions options) {
        return plan(definitions, observed, options, Inputs.NONE);
    }

    public static Plan plan(Collection<ImageDefinition> definitions, List<ObservedImage> observed, PlanOptions options, Inputs inputs) {
        Map<String, ImageDefinition> byName = new TreeMap<>();
        definitions.forEach(d -> byName.put(d.name(), d));
        Map<String, String> nameByDescription = new HashMap<>();
        byName.values().forEach(d -> nameByDescription.putIfAbsent(description(d), d.name()));

        List<ObservedImage> managed = observed.stream().filter(image -> isManaged(image, options)).toList();
        Map<String, List<ObservedImage>> families = new TreeMap<>();
        for (ObservedImage image : managed) {
            String family = image.property(ImageProperties.FAMILY);
            if (family == null && image.property(ImageProperties.IMAGE_DESCRIPTION) != null) {
                // adopt images the reference tool made: they name their family only through image_description
                family = nameByDescription.getOrDefault(image.property(ImageProperties.IMAGE_DESCRIPTION),
                        image.property(ImageProperties.IMAGE_DESCRIPTION));
            }
            if (family != null) {
                families.computeIfAbsent(family, k -> new ArrayList<>()).add(image);
            }
        }

        NameRegistry names = new NameRegistry(observed.stream().filter(image -> image.visibleTo(options.projectId())).toList());
        boolean retirementAllowed = inputs.failedImports().isEmpty();
        List<FamilyPlan> plans = new ArrayList<>();
        for (ImageDefinition definition : byName.values()) {
            if (!options.selects(definition.name())) {
                continue;
            }
            List<ObservedImage> images = families.getOrDefault(definition.name(), List.of());
            if (!definition.enabled() && !options.force()) {
                continue; // the reference skips disabled definitions entirely: their images stay as they are
            }
            plans.add(new FamilyContext(definition, images, options, inputs, names, retirementAllowed).plan());
        }
        for (Map.Entry<String, List<ObservedImage>> family : families.entrySet()) {
            if (!byName.containsKey(family.getKey())) {
                plans.add(new FamilyContext(family.getKey(), family.getValue(), options, inputs, names, retirementAllowed).plan());
            }
        }
        return new Plan(options.cloud(), plans, AgeReport.of(byName.values(), options, inputs));
    }

    /**
     * Images with the management tag, of the current project. The reference also considers public images of other
     * projects, and then changes them like its own (making them private, renaming them); here they are never in a
     * plan: they only count as holders of their names.
     */
    static boolean isManaged(ObservedImage image, PlanOptions options) {
        if (!image.tags().contains(options.managementTag())) {
            return false;
        }
        return options.projectId() == null || image.owner() == null || options.projectId().equals(image.owner());
    }

    static String description(ImageDefinition definition) {
        Object value = definition.meta().get(ImageProperties.IMAGE_DESCRIPTION);
        return value == null ? definition.name() : value.toString();
    }

    /** The planning of one family: defined versions, what is present, renames, desired state, retirement. */
    private static final class FamilyContext {
        private final ImageDefinition definition; // null for a family no definition names any more
        private final String family;
        private final List<ObservedImage> images;
        private final PlanOptions options;
        private final Inputs inputs;
        private final NameRegistry names;
        private final boolean retirementAllowed;
        private final String cloud;

        private final List<ImageAction> imports = new ArrayList<>();
        private final List<RenameImage> renames = new ArrayList<>();
        private final List<ImageAction> updates = new ArrayList<>();
        private final List<ImageAction> retirement = new ArrayList<>();
        private final List<ImageAction> cleanup = new ArrayList<>();
        private final Set<ObservedImage> vanishing = new java.util.HashSet<>();
        private final List<ImageAction> blocked = new ArrayList<>();
        private final List<String> inProgress = new ArrayList<>();
        private int unchanged;

        FamilyContext(ImageDefinition definition, List<ObservedImage> images, PlanOptions options, Inputs inputs,
                      NameRegistry names, boolean retirementAllowed) {
            this(definition, definition.name(), images, options, inputs, names, retirementAllowed);
        }

        FamilyContext(String family, List<ObservedImage> images, PlanOptions options, Inputs inputs, NameRegistry names,
                      boolean retirementAllowed) {
            this(null, family, images, options, inputs, names, retirementAllowed);
        }

        private FamilyContext(ImageDefinition definition, String family, List<ObservedImage> images, PlanOptions options,
                              Inputs inputs, NameRegistry names, boolean retirementAllowed) {
            this.definition = definition;
            this.family = family;
            this.images = images;
            this.options = options;
            this.inputs = inputs;
            this.names = names;
            this.retirementAllowed = retirementAllowed;
            this.cloud = options.cloud();
        }

        FamilyPlan plan() {
            List<Present> present = new ArrayList<>();
            if (definition != null) {
                planVersions(present);
            }
            List<ObservedImage> presentImages = present.stream().map(Present::image).toList();
            List<ObservedImage> outdated = images.stream()
                    .filter(ImageProperties::verifiedAndUsable)
                    .filter(image -> !presentImages.contains(image))
                    .sorted(NEWEST_FIRST)
                    .toList();

            boolean rotating = definition != null ? definition.hasRotatingName() : outdated.stream().anyMatch(i -> i.name().equals(family));
            String plainVersion = present.stream().map(Present::internalVersion).max(NATURAL).orElse(null);

            // Remains of failed imports (killed, or queued far too long) hold no data anyone could boot: they are
            // removed, so that they never keep a name from the image that should have it.
            for (ObservedImage image : images.stream().sorted(Comparator.comparing(ObservedImage::id)).toList()) {
                if (!ImageProperties.verifiedAndUsable(image) && !(importRunning(image) && !stale(image))
                        && !"deleted".equals(image.status()) && !"pending_delete".equals(image.status())) {
                    cleanup.add(new org.imagemanager.event.DeleteImage(ActionIds.of("cleanup", cloud, image.id()), cloud,
                            family, image.id(), image.name(), "remains of a failed import (" + image.status() + ")"));
                    vanishing.add(image);
                }
            }
            // First every name this family wants, then the renames: a rename may take a name only from an image
            // that moves away in the same plan (the order of the renames then frees it first).
            Map<ObservedImage, String> wanted = new LinkedHashMap<>();
            ObservedImage plainHolder = null;
            Set<String> presentNames = new java.util.HashSet<>();
            for (Present p : present) {
                presentNames.add(p.image().name());
                presentNames.add(rotating ? ImageNaming.suffixedName(definition, p.internalVersion())
                        : ImageNaming.desiredName(definition, p.internalVersion(), null));
            }
            for (ObservedImage image : outdated) {
                if (rotating && image.name().equals(family)) {
                    if (plainVersion != null) {
                        // a newer image takes the plain name: move this one aside, under a name nobody else has or
                        // wants (an old duplicate of a present version gets its id in the suffix: no swap cycles)
                        String aside = suffixed(image);
                        java.util.function.Predicate<String> taken = candidate -> presentNames.contains(candidate)
                                || !names.holdersOf(candidate).isEmpty() || wanted.containsValue(candidate);
                        wanted.put(image, taken.test(aside) ? withId(versionOf(image), image, taken) : aside);
                    } else {
                        plainHolder = image; // nothing can take its place: it keeps the name and is not retired
                    }
                }
            }
            for (Present p : present) {
                String name;
                if (!rotating) {
                    name = ImageNaming.desiredName(definition, p.internalVersion(), null);
                } else if (p.internalVersion().equals(plainVersion)) {
                    name = family;
                } else {
                    // an older build's suffixed name; if an image outside the family has it, one with the id
                    name = ImageNaming.suffixedName(definition, p.internalVersion());
                    String wantedName = name;
                    if (!p.image().name().equals(name) && names.holdersOf(name).stream().anyMatch(h -> h != p.image()
                            && !vanishing.contains(h) && !(wanted.containsKey(h) && !wanted.get(h).equals(wantedName)))) {
                        name = withId(p.internalVersion(), p.image(), candidate -> wanted.containsValue(candidate)
                                || names.holdersOf(candidate).stream().anyMatch(h -> h != p.image()));
                    }
                }
                wanted.put(p.image(), name);
            }
            Map<ObservedImage, String> finalNames = planRenames(wanted);
            for (Present p : present) {
                planDesiredState(p, finalNames.get(p.image()), plainVersion);
            }
            // the image that keeps the plain name (nothing can take its place, or its move aside was refused)
            // is never retired
            ObservedImage keepsPlainName = plainHolder;
            planRetirement(outdated.stream()
                    .filter(image -> image != keepsPlainName)
                    .filter(image -> !family.equals(finalNames.getOrDefault(image, image.name())))
                    .toList());
            // Older images that stay shared follow the share options too: a project taken off them loses every
            // image of the family, not only the defined ones.
            Set<String> leavingShared = retirement.stream()
                    .filter(action -> action instanceof SetVisibility || action instanceof DeleteImage)
                    .map(action -> ((ExistingImageAction) action).imageId())
                    .collect(Collectors.toSet());
            for (ObservedImage image : outdated) {
                if (SHARED.equals(image.visibility()) && options.selects(image.name()) && !leavingShared.contains(image.id())) {
                    planMembers(image, finalNames.getOrDefault(image, image.name()));
                }
            }

            // Updates before renames: a new build gets its visibility and properties before it takes the plain
            // name, so users never find the plain name on an image they cannot see yet.
            List<ImageAction> actions = new ArrayList<>(cleanup);
            actions.addAll(imports);
            actions.addAll(updates);
            actions.addAll(Renames.ordered(renames));
            actions.addAll(retirement);
            actions.addAll(blocked);
            return new FamilyPlan(cloud, family, actions, inProgress, unchanged);
        }

        private void planVersions(List<Present> present) {
            List<VersionDefinition> versions = definition.versions().stream()
                    .sorted(Comparator.comparing(VersionDefinition::version, NATURAL))
                    .toList();
            String newestDefined = versions.isEmpty() ? null : versions.getLast().version();
            for (VersionDefinition version : versions) {
                boolean latest = DefinitionSchema.LATEST.equals(version.version());
                Upstream upstream = latest ? inputs.upstream().get(family) : null;
                List<ObservedImage> matching;
                String internalVersion;
                if (latest && upstream == null) {
                    blocked.add(blocked(null, "what upstream publishes for 'latest' is not known yet (checksum not resolved)"));
                    // keep what is there: the newest usable build counts as present, exactly as it is, until
                    // upstream is known again; nothing is imported without a known digest
                    Optional<ObservedImage> kept = images.stream().filter(ImageProperties::verifiedAndUsable)
                            .filter(i -> i.property(ImageProperties.UPSTREAM_CHECKSUM) != null)
                            .sorted(NEWEST_FIRST).findFirst();
                    if (kept.isPresent()) {
                        ObservedImage build = kept.get();
                        String day = build.property(ImageProperties.INTERNAL_VERSION) != null
                                ? build.property(ImageProperties.INTERNAL_VERSION) : dayOf(build);
                        // its stored upstream_checksum stays as it is (whichever form): no change is planned
                        present.add(new Present(version, build, day, build.property(ImageProperties.UPSTREAM_CHECKSUM)));
                    }
                    continue;
                } else if (latest) {
                    matching = images.stream()
                            .filter(i -> ImageProperties.sameUpstream(upstream.checksum(), i.property(ImageProperties.UPSTREAM_CHECKSUM)))
                            .toList();
                    internalVersion = uniqueBuildVersion(upstream);
                } else {
                    matching = images.stream()
                            .filter(i -> version.version().equals(i.property(ImageProperties.INTERNAL_VERSION)))
                            .filter(i -> i.property(ImageProperties.UPSTREAM_CHECKSUM) == null)
                            .toList();
                    internalVersion = version.version();
                }
                Optional<ObservedImage> usable = matching.stream().filter(ImageProperties::verifiedAndUsable).sorted(NEWEST_FIRST).findFirst();
                if (usable.isPresent()) {
                    String kept = usable.get().property(ImageProperties.INTERNAL_VERSION);
                    present.add(new Present(version, usable.get(), latest && kept != null ? kept : internalVersion, upstreamChecksum(upstream)));
                    continue;
                }
                Optional<ObservedImage> running = matching.stream().filter(FamilyContext::importRunning)
                        .filter(i -> !stale(i)).findFirst();
                if (running.isPresent()) {
                    inProgress.add(running.get().name());
                    continue;
                }
                if (options.latestOnly() && definition.hasRotatingName() && !version.version().equals(newestDefined)) {
                    continue;
                }
                planImport(version, internalVersion, upstream);
            }
        }

        /**
         * The internal version of a new upstream build: its day, made unique when an earlier build of the same day
         * is there (a same-day rebuild becomes {@code 20240610.2}), so two builds never want one name.
         */
        private String uniqueBuildVersion(Upstream upstream) {
            String day = upstream.internalVersion();
            Set<String> taken = images.stream()
                    .filter(i -> !ImageProperties.sameUpstream(upstream.checksum(), i.property(ImageProperties.UPSTREAM_CHECKSUM)))
                    .map(i -> i.property(ImageProperties.INTERNAL_VERSION))
                    .filter(java.util.Objects::nonNull)
                    .collect(Collectors.toSet());
            String candidate = day;
            for (int n = 2; taken.contains(candidate); n++) {
                candidate = day + "." + n;
            }
            return candidate;
        }

        private void planImport(VersionDefinition version, String internalVersion, Upstream upstream) {
            String name = ImageNaming.importName(definition, internalVersion);
            String checksum = upstream != null ? upstream.checksum() : version.checksum();
            String actionId = ActionIds.of("import", cloud, family, internalVersion, version.url(), String.valueOf(checksum));
            // The family's own unusable images (a killed or abandoned import) don't count: the importer removes them.
            List<ObservedImage> holders = names.holdersOf(name).stream()
                    .filter(holder -> !(images.contains(holder) && !ImageProperties.verifiedAndUsable(holder)))
                    .toList();
            if (!holders.isEmpty()) {
                blocked.add(blocked(name, Blocked.NAME_TAKEN + holders.getFirst().id()));
                return;
            }
            Map<String, String> properties = desiredProperties(version, internalVersion, upstreamChecksum(upstream));
            properties.put(ImageProperties.IMPORT_ID, actionId);
            imports.add(new ImportImage(actionId, cloud, family, version.version(), name, version.url(), version.mirrorUrl(),
                    checksum, upstream != null ? null : version.checksumUrl(), upstream != null ? null : version.checksumsUrl(),
                    definition.format(), minDisk(null), minRam(), properties, desiredTags(), version.id()));
        }

        private void planDesiredState(Present p, String desiredName, String plainVersion) {
            ObservedImage image = p.image();
            int before = updates.size();
            boolean renamed = !desiredName.equals(image.name());
            Map<String, String> properties = desiredProperties(p.version(), p.internalVersion(), p.upstreamChecksum());
            Map<String, String> set = new TreeMap<>();
            properties.forEach((key, value) -> {
                if (!value.equals(image.property(key))) {
                    set.put(key, value);
                }
            });
            if (!set.isEmpty()) {
                updates.add(new org.imagemanager.event.UpdateProperties(
                        ActionIds.of("properties", cloud, image.id(), set.toString()), cloud, family, image.id(), desiredName, set));
            }
            List<String> remove = java.util.stream.Stream.concat(ImageProperties.managedKeys(image).stream(),
                            image.properties().keySet().stream().filter(key -> key.startsWith(ImageProperties.MANAGED_KEYS)))
                    .filter(key -> !properties.containsKey(key) && image.property(key) != null)
                    .distinct()
                    .sorted()
                    .toList();
            if (!remove.isEmpty()) {
                updates.add(new org.imagemanager.event.RemoveProperties(
                        ActionIds.of("unset", cloud, image.id(), remove.toString()), cloud, family, image.id(), desiredName, remove));
            }
            List<String> tags = desiredTags();
            List<String> addTags = tags.stream().filter(t -> !image.tags().contains(t)).toList();
            List<String> removeTags = image.tags().stream().filter(t -> !tags.contains(t)).sorted().toList();
            if (!addTags.isEmpty() || !removeTags.isEmpty()) {
                updates.add(new org.imagemanager.event.SetTags(ActionIds.of("tags", cloud, image.id(), addTags.toString(),
                        removeTags.toString()), cloud, family, image.id(), desiredName, addTags, removeTags));
            }
            int minDisk = minDisk(image.sizeBytes());
            if (minDisk != image.minDisk() || minRam() != image.minRam()) {
                updates.add(new org.imagemanager.event.SetMinimums(ActionIds.of("minimums", cloud, image.id(),
                        String.valueOf(minDisk), String.valueOf(minRam())), cloud, family, image.id(), desiredName, minDisk, minRam()));
            }
            String visibility = p.version().visibility() != null ? p.version().visibility() : definition.effectiveVisibility();
            if (!visibility.equals(image.visibility())) {
                updates.add(new org.imagemanager.event.SetVisibility(ActionIds.of("visibility", cloud, image.id(),
                        image.visibility(), visibility), cloud, family, image.id(), desiredName, image.visibility(), visibility));
            }
            if (SHARED.equals(visibility)) {
                planMembers(image, desiredName); // after the visibility change: Glance takes members only on shared images
            }
            if (options.useOsHidden()) {
                boolean hidden = p.version().hidden() != null ? p.version().hidden() : !p.internalVersion().equals(plainVersion);
                if (hidden != image.hidden()) {
                    updates.add(new org.imagemanager.event.SetHidden(ActionIds.of("hidden", cloud, image.id(),
                            String.valueOf(hidden)), cloud, family, image.id(), desiredName, hidden));
                }
            }
            String status = definition.effectiveStatus();
            if (!status.equals(image.status())) {
                updates.add("deactivated".equals(status)
                        ? new org.imagemanager.event.Deactivate(ActionIds.of("deactivate", cloud, image.id()), cloud, family,
                        image.id(), desiredName, "the definition says status: deactivated")
                        : new org.imagemanager.event.Reactivate(ActionIds.of("reactivate", cloud, image.id()), cloud, family,
                        image.id(), desiredName));
            }
            if (updates.size() == before && !renamed) {
                unchanged++;
            }
        }

        /**
         * The members of a managed image that is (or becomes) shared: exactly the projects of the share options, each
         * accepted when we accept on its behalf. Nothing at all without share options: members are then the
         * operator's. The owner needs no membership (a shared domain may well hold the owner's own project).
         */
        private void planMembers(ObservedImage image, String imageName) {
            if (options.shareProjects() == null) {
                return;
            }
            Set<String> wanted = new java.util.TreeSet<>(options.shareProjects());
            if (image.owner() != null) {
                wanted.remove(image.owner());
            }
            for (String project : wanted) {
                Optional<ObservedImage.Member> member = image.member(project);
                if (member.isEmpty() || (options.shareAccept() && !member.get().accepted())) {
                    String from = member.map(ObservedImage.Member::status).orElse(null);
                    updates.add(new AddImageMember(ActionIds.of("member", cloud, image.id(), project, String.valueOf(from),
                            String.valueOf(options.shareAccept())), cloud, family, image.id(), imageName, project, from,
                            options.shareAccept()));
                }
            }
            for (ObservedImage.Member member : image.members()) {
                if (!wanted.contains(member.projectId())) {
                    updates.add(new RemoveImageMember(ActionIds.of("unshare", cloud, image.id(), member.projectId()), cloud,
                            family, image.id(), imageName, member.projectId()));
                }
            }
        }

        /** The {@code upstream_checksum} to write for an upstream (null for a version that is not {@code latest}). */
        private static String upstreamChecksum(Upstream upstream) {
            return upstream == null ? null : ImageProperties.upstreamChecksumValue(upstream.checksum());
        }

        /** @param upstreamChecksum the {@code upstream_checksum} value to set, or null for none */
        private Map<String, String> desiredProperties(VersionDefinition version, String internalVersion, String upstreamChecksum) {
            Map<String, String> properties = ImageProperties.forVersion(definition, version, internalVersion);
            if (upstreamChecksum != null) {
                properties.put(ImageProperties.UPSTREAM_CHECKSUM, upstreamChecksum);
            }
            Set<String> keys = new java.util.TreeSet<>(properties.keySet());
            properties.put(ImageProperties.FAMILY, family);
            properties.putAll(ImageProperties.managedKeysProperties(keys));
            return properties;
        }

        private List<String> desiredTags() {
            List<String> tags = new ArrayList<>();
            tags.add(options.managementTag());
            Object distro = definition.meta().get("os_distro");
            if (distro != null) {
                tags.add("os:" + distro);
            }
            definition.tags().stream().filter(t -> !tags.contains(t)).forEach(tags::add);
            return tags;
        }

        /** The definition's min_disk, but never less than the image really needs (its size in GiB, rounded up). */
        private int minDisk(Long sizeBytes) {
            int defined = definition.minDisk() == null ? 0 : definition.minDisk();
            if (sizeBytes == null || sizeBytes <= 0) {
                return defined;
            }
            long gib = (sizeBytes + (1L << 30) - 1) >> 30;
            return (int) Math.max(defined, gib);
        }

        private int minRam() {
            return definition.minRam() == null ? 0 : definition.minRam();
        }

        private void planRetirement(List<ObservedImage> outdated) {
            List<ObservedImage> selected = outdated.stream().filter(image -> options.selects(image.name())).toList();
            if (selected.isEmpty()) {
                return;
            }
            if (!retirementAllowed) {
                blocked.add(blocked(null, "retirement suspended: an import failed in this round (" + String.join(", ",
                        new java.util.TreeSet<>(inputs.failedImports())) + ")"));
                return;
            }
            boolean rotating = definition == null || definition.hasRotatingName();
            if (options.keep() && !rotating) {
                return;
            }
            String validity = definition != null
                    ? (String) definition.meta().get(ImageProperties.UUID_VALIDITY)
                    : selected.getFirst().property(ImageProperties.UUID_VALIDITY);
            int kept = keptByValidity(validity, selected.size());
            boolean keepFlag = definition != null && Boolean.TRUE.equals(definition.keep());
            for (ObservedImage image : selected.subList(kept, selected.size())) {
                String reason = "outdated (uuid_validity: " + validity + ")";
                boolean deleting = options.delete() && options.confirmDelete() && !keepFlag;
                if (options.delete() && !deleting) {
                    blocked.add(blocked(image, image.name(), keepFlag ? "not deleted: the definition says keep: true"
                            : "not deleted: --delete needs the confirmation --yes-i-really-know-what-i-do"));
                }
                if ((deleting || options.deactivate()) && "active".equals(image.status())) {
                    retirement.add(new org.imagemanager.event.Deactivate(ActionIds.of("deactivate", cloud, image.id()), cloud,
                            family, image.id(), image.name(), reason));
                }
                if ((deleting || options.hide()) && !"community".equals(image.visibility())) {
                    retirement.add(new org.imagemanager.event.SetVisibility(ActionIds.of("visibility", cloud, image.id(),
                            image.visibility(), "community"), cloud, family, image.id(), image.name(), image.visibility(), "community"));
                }
                if (deleting) {
                    retirement.add(new org.imagemanager.event.DeleteImage(ActionIds.of("delete", cloud, image.id()), cloud,
                            family, image.id(), image.name(), reason));
                }
            }
        }

        /** How many of the outdated images (newest first) the family's uuid_validity keeps. */
        private int keptByValidity(String validity, int outdated) {
            if (validity == null) {
                return outdated;
            }
            if (validity.startsWith("last-")) {
                try {
                    // last-N: N images in all, the current one included
                    return Math.min(outdated, Math.max(0, Integer.parseInt(validity.substring(5)) - 1));
                } catch (NumberFormatException e) {
                    return outdated;
                }
            }
            try {
                LocalDate until = LocalDate.parse(validity);
                return options.now().atZone(ZoneOffset.UTC).toLocalDate().isAfter(until) ? 0 : outdated;
            } catch (DateTimeParseException e) {
                return outdated; // none, forever, notice: never retired automatically
            }
        }

        /**
         * Plans the renames to the wanted names and returns the name each image will carry afterwards. A rename
         * whose name stays taken (by an image outside the family, or one that keeps it, or that two images want)
         * is blocked instead: never two images with one name.
         */
        private Map<ObservedImage, String> planRenames(Map<ObservedImage, String> wanted) {
            Map<String, Long> demand = wanted.values().stream().collect(Collectors.groupingBy(n -> n, Collectors.counting()));
            Map<ObservedImage, String> moving = new LinkedHashMap<>();
            wanted.forEach((image, to) -> {
                if (!to.equals(image.name())) {
                    moving.put(image, to);
                }
            });
            // A rename may take a name only from images that really move away; a holder whose own rename is
            // refused stays, and so refuses the renames that needed its name (repeat until nothing changes).
            Map<ObservedImage, String> refused = new LinkedHashMap<>();
            boolean changed = true;
            while (changed) {
                changed = false;
                for (Map.Entry<ObservedImage, String> entry : List.copyOf(moving.entrySet())) {
                    ObservedImage image = entry.getKey();
                    String to = entry.getValue();
                    Optional<ObservedImage> staying = names.holdersOf(to).stream()
                            .filter(holder -> holder != image && !moving.containsKey(holder) && !vanishing.contains(holder))
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
                        .anyMatch(e -> e.getValue().equals(family) && e.getKey().name().equals(family));
                if (!moving.containsValue(family) && !keptByTheRightImage) {
                    for (ObservedImage holder : List.copyOf(moving.keySet())) {
                        if (holder.name().equals(family) && images.contains(holder)) {
                            moving.remove(holder);
                            changed = true;
                        }
                    }
                }
            }
            Map<ObservedImage, String> result = new LinkedHashMap<>();
            for (ObservedImage image : wanted.keySet()) {
                String to = moving.get(image);
                if (to != null) {
                    renames.add(new RenameImage(ActionIds.of("rename", cloud, image.id(), image.name(), to), cloud, family,
                            image.id(), image.name(), to));
                    result.put(image, to);
                } else {
                    result.put(image, image.name());
                    if (refused.containsKey(image)) {
                        blocked.add(blocked(image, image.name(), refused.get(image)));
                    }
                }
            }
            return result;
        }

        private static String dayOf(ObservedImage image) {
            return image.createdAt() == null ? image.id() : image.createdAt().atZone(ZoneOffset.UTC).toLocalDate()
                    .format(java.time.format.DateTimeFormatter.BASIC_ISO_DATE);
        }

        private String suffixed(ObservedImage image) {
            return family + separator() + "(" + versionOf(image) + ")";
        }

        /**
         * {@code Family (version id8)}: a name of its own for an image whose plain suffixed name is taken. Two ids
         * may begin alike; when that name is {@code taken} too, the whole id, which is unique in a cloud.
         */
        private String withId(String version, ObservedImage image, java.util.function.Predicate<String> taken) {
            String shortId = image.id().substring(0, Math.min(8, image.id().length()));
            String name = family + separator() + "(" + version + " " + shortId + ")";
            return taken.test(name) ? family + separator() + "(" + version + " " + image.id() + ")" : name;
        }

        private static String versionOf(ObservedImage image) {
            String version = image.property(ImageProperties.INTERNAL_VERSION);
            return version != null ? version : dayOf(image);
        }

        private String separator() {
            return definition != null ? definition.effectiveSeparator() : ImageDefinition.DEFAULT_SEPARATOR;
        }

        /** An import still running: Glance is busy with it, or it is done in Glance but not yet verified by us. */
        private static boolean importRunning(ObservedImage image) {
            return image.importInProgress() || (image.usable() && image.property(ImageProperties.PENDING) != null);
        }

        private boolean stale(ObservedImage image) {
            return image.createdAt() != null && image.createdAt().plus(options.staleImport()).isBefore(options.now());
        }

        private Blocked blocked(String imageName, String reason) {
            return blocked(null, imageName, reason);
        }

        /** Blocked about one image: its id is part of the action id, so two images blocked alike stay two reports. */
        private Blocked blocked(ObservedImage image, String imageName, String reason) {
            return new Blocked(ActionIds.of("blocked", cloud, family, image == null ? "" : image.id(), String.valueOf(imageName), reason),
                    cloud, family, imageName, reason);
        }
    }

    /** Newest first: by internal version (natural order), then by creation time, then by id (determinism). */
    static final Comparator<ObservedImage> NEWEST_FIRST = Comparator
            .comparing((ObservedImage i) -> Optional.ofNullable(i.property(ImageProperties.INTERNAL_VERSION)).orElse(""), NATURAL)
            .thenComparing(ObservedImage::createdAt, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(ObservedImage::id)
            .reversed();

    private record Present(VersionDefinition version, ObservedImage image, String internalVersion, String upstreamChecksum) {
    }

    /** Who carries which name in the cloud before the plan (names are not unique in Glance). */
    private static final class NameRegistry {
        private final Map<String, List<ObservedImage>> holders = new HashMap<>();

        NameRegistry(List<ObservedImage> observed) {
            // by id: reports name the same holder whatever order Glance listed the images in
            observed.stream().sorted(Comparator.comparing(ObservedImage::id))
                    .forEach(image -> holders.computeIfAbsent(image.name(), k -> new ArrayList<>()).add(image));
        }

        List<ObservedImage> holdersOf(String name) {
            return holders.getOrDefault(name, List.of());
        }
    }
}
