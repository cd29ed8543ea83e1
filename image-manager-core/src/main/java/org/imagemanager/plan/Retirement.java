package org.imagemanager.plan;

import org.imagemanager.event.Blocked;
import org.imagemanager.event.Deactivate;
import org.imagemanager.event.DeleteImage;
import org.imagemanager.event.ImageAction;
import org.imagemanager.event.SetVisibility;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * What the retirement options ({@code --deactivate}, {@code --hide}, {@code --delete}) do with a family's retired
 * images (undefined versions, and builds rotated out of the visible ones), as far as {@code uuid_validity} lets go
 * of them.
 *
 * @param actions the retirement, per image: deactivate, make community, delete
 * @param blocked reports: retirement suspended, or a delete that is not allowed
 */
record Retirement(List<ImageAction> actions, List<Blocked> blocked) {
    static final Retirement NONE = new Retirement(List.of(), List.of());

    /** @param retired newest first */
    static Retirement of(Family family, List<ObservedImage> retired) {
        PlanOptions options = family.options();
        List<ObservedImage> selected = retired.stream().filter(image -> options.selects(image.name())).toList();
        if (selected.isEmpty()) {
            return NONE;
        }
        if (!family.retirementAllowed()) {
            return new Retirement(List.of(), List.of(family.blocked(null, "retirement suspended: an import failed in this round ("
                    + String.join(", ", new TreeSet<>(family.inputs().failedImports())) + ")")));
        }
        if (options.keep() && !family.rotating()) {
            return NONE;
        }
        String validity = family.definition() != null
                ? (String) family.definition().meta().get(ImageProperties.UUID_VALIDITY)
                : selected.getFirst().property(ImageProperties.UUID_VALIDITY);
        int kept = keptByValidity(validity, selected.size(), options);
        boolean keepFlag = family.definition() != null && Boolean.TRUE.equals(family.definition().keep());
        String cloud = family.cloud();
        List<ImageAction> actions = new ArrayList<>();
        List<Blocked> blocked = new ArrayList<>();
        for (ObservedImage image : selected.subList(kept, selected.size())) {
            String reason = "outdated (uuid_validity: " + validity + ")";
            boolean deleting = options.delete() && options.confirmDelete() && !keepFlag;
            if (options.delete() && !deleting) {
                blocked.add(family.blocked(image, image.name(), keepFlag ? "not deleted: the definition says keep: true"
                        : "not deleted: --delete needs the confirmation --yes-i-really-know-what-i-do"));
            }
            if ((deleting || options.deactivate()) && "active".equals(image.status())) {
                actions.add(new Deactivate(ActionIds.of("deactivate", cloud, image.id()), cloud, family.name(), image.id(),
                        image.name(), reason));
            }
            if ((deleting || options.hide()) && !DesiredState.COMMUNITY.equals(image.visibility())) {
                actions.add(new SetVisibility(ActionIds.of("visibility", cloud, image.id(), image.visibility(), DesiredState.COMMUNITY),
                        cloud, family.name(), image.id(), image.name(), image.visibility(), DesiredState.COMMUNITY));
            }
            if (deleting) {
                actions.add(new DeleteImage(ActionIds.of("delete", cloud, image.id()), cloud, family.name(), image.id(),
                        image.name(), reason));
            }
        }
        return new Retirement(actions, blocked);
    }

    /** How many of the retired images (newest first) the family's uuid_validity keeps. */
    static int keptByValidity(String validity, int retired, PlanOptions options) {
        if (validity == null) {
            return retired;
        }
        if (validity.startsWith("last-")) {
            try {
                // last-N: N images in all, the current one included
                return Math.min(retired, Math.max(0, Integer.parseInt(validity.substring(5)) - 1));
            } catch (NumberFormatException e) {
                return retired;
            }
        }
        try {
            LocalDate until = LocalDate.parse(validity);
            return options.now().atZone(ZoneOffset.UTC).toLocalDate().isAfter(until) ? 0 : retired;
        } catch (DateTimeParseException e) {
            return retired; // none, forever, notice: never retired automatically
        }
    }
}
