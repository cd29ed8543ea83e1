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
    static final Comparator<String> NATURAL = ImageNaming.versionOrder();
    private static final String SHARED = "shared";

    private Reconciler() {
    }

    /**
     * @param upstream      per family with a {@code latest} version: what upstream publishes now (resolved at the edge)
     * @param failedImports families with an import that failed in this round: no retirement anywhere this round
     */
    /**
     * @param unclaimed families known to have no live claim in this cloud: an import of theirs still running in Glance
     *                  has no importer behind it any more (every importer holds its family's claim while it works), so
     *                  it is planned again at once instead of after {@link PlanOptions#staleImport()}
     */
    public record Inputs(Map<String, Upstream> upstream, Set<String> failedImports, Set<String> unclaimed) {
        public static final Inputs NONE = new Inputs(Map.of(), Set.of());

        public Inputs {
            upstream = Map.copyOf(upstream);
            failedImports = Set.copyOf(failedImports);
            unclaimed = Set.copyOf(unclaimed);
        }

        public Inputs(Map<String, Upstream> upstream, Set<String> failedImports) {
            this(upstream, failedImports, Set.of());
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
            plans.add(planFamily(new Family(definition, definition.name(), images, options, inputs, names, retirementAllowed)));
        }
        for (Map.Entry<String, List<ObservedImage>> family : families.entrySet()) {
            if (!byName.containsKey(family.getKey())) {
                plans.add(planFamily(new Family(null, family.getKey(), family.getValue(), options, inputs, names, retirementAllowed)));
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

    /**
     * One family's plan, step by step; each step returns its part: the inventory of defined versions (and the
     * imports), the cleanup of failed imports, the names, the desired state of present builds (with the rotation
     * of visible builds), and the retirement of the others.
     */
    private static FamilyPlan planFamily(Family family) {
        Inventory inventory = Inventory.of(family);
        Cleanup cleanup = Cleanup.of(family);
        Naming naming = Naming.of(family, inventory, cleanup);
        DesiredState state = family.definition() == null ? new DesiredState(List.of(), 0, List.of())
                : DesiredState.of(family, inventory, naming);
        List<ObservedImage> retired = java.util.stream.Stream.concat(naming.retirable(family.name()).stream(),
                state.rotatedOut().stream()).sorted(NEWEST_FIRST).toList();
        Retirement retirement = Retirement.of(family, retired);

        // Older images that stay shared follow the share options too: a project taken off them loses every image
        // of the family, not only the defined ones.
        Set<String> leavingShared = retirement.actions().stream()
                .filter(action -> action instanceof SetVisibility || action instanceof DeleteImage)
                .map(action -> ((ExistingImageAction) action).imageId())
                .collect(Collectors.toSet());
        List<ImageAction> outdatedMembers = naming.outdated().stream()
                .filter(image -> SHARED.equals(image.visibility()) && family.options().selects(image.name())
                        && !leavingShared.contains(image.id()))
                .flatMap(image -> family.members(image, naming.finalName(image)).stream())
                .toList();

        // Updates before renames: a new build gets its visibility and properties before it takes the plain name,
        // so users never find the plain name on an image they cannot see yet.
        List<ImageAction> actions = new ArrayList<>(cleanup.deletes());
        actions.addAll(inventory.imports());
        actions.addAll(state.updates());
        actions.addAll(outdatedMembers);
        actions.addAll(Renames.ordered(naming.renames()));
        actions.addAll(retirement.actions());
        actions.addAll(inventory.blocked());
        actions.addAll(naming.blocked());
        actions.addAll(retirement.blocked());
        // A rotated-out build may be deactivated or made community both by its desired state and by its retirement:
        // the same change has the same id, and is planned once, where it comes first.
        Set<String> ids = new java.util.HashSet<>();
        actions.removeIf(action -> !ids.add(action.actionId()));
        return new FamilyPlan(family.cloud(), family.name(), actions, inventory.inProgress(), state.unchanged());
    }

    /** Newest first: by internal version (natural order), then by creation time, then by id (determinism). */
    static final Comparator<ObservedImage> NEWEST_FIRST = Comparator
            .comparing((ObservedImage i) -> Optional.ofNullable(i.property(ImageProperties.INTERNAL_VERSION)).orElse(""), NATURAL)
            .thenComparing(ObservedImage::createdAt, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(ObservedImage::id)
            .reversed();
}
