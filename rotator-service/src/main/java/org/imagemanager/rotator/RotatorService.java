package org.imagemanager.rotator;

import jakarta.inject.Singleton;
import org.imagemanager.claim.FamilyClaims;
import org.imagemanager.cloud.Clouds;
import org.imagemanager.event.ActionSkipped;
import org.imagemanager.event.AddImageMember;
import org.imagemanager.event.Deactivate;
import org.imagemanager.event.ActionFailed;
import org.imagemanager.event.DeleteImage;
import org.imagemanager.event.EventJson;
import org.imagemanager.event.ExistingImageAction;
import org.imagemanager.event.ImageAction;
import org.imagemanager.event.ImageChanged;
import org.imagemanager.event.ImageChanged.Change;
import org.imagemanager.event.ImageEvent;
import org.imagemanager.event.LeftAlone;
import org.imagemanager.event.Reactivate;
import org.imagemanager.event.RemoveImageMember;
import org.imagemanager.event.RemoveProperties;
import org.imagemanager.event.RenameImage;
import org.imagemanager.event.SetHidden;
import org.imagemanager.event.SetMinimums;
import org.imagemanager.event.SetTags;
import org.imagemanager.event.SetVisibility;
import org.imagemanager.event.UpdateProperties;
import org.imagemanager.glance.Glance;
import org.imagemanager.glance.GlanceException;
import org.imagemanager.kafka.EventPublisher;
import org.imagemanager.observability.Metrics;
import org.imagemanager.plan.ImageProperties;
import org.imagemanager.plan.ObservedImage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Carries out every non-import action. Each one first reads the image as it is now (a shared one with its
 * members) and checks its precondition; a stale or replayed action is skipped with a reason, never applied
 * blindly. That makes every action idempotent. An image that belongs to no family of ours (no management
 * bookkeeping) is never changed.
 */
@Singleton
public class RotatorService {
    private static final Logger LOG = LoggerFactory.getLogger(RotatorService.class);
    private static final String SHARED = "shared";
    private static final String NO_MEMBER = "no member";

    private final Clouds clouds;
    private final EventPublisher publisher;
    private final Metrics metrics;
    private final FamilyClaims claims;
    private final Clock clock = Clock.systemUTC();

    @jakarta.inject.Inject
    public RotatorService(Clouds clouds, EventPublisher publisher, Metrics metrics, FamilyClaims claims) {
        this.clouds = clouds;
        this.publisher = publisher;
        this.metrics = metrics;
        this.claims = claims;
    }

    /** Outside a pipeline (tests): the claims of this process. */
    public RotatorService(Clouds clouds, EventPublisher publisher, Metrics metrics) {
        this(clouds, publisher, metrics, FamilyClaims.ofThisProcess());
    }

    /** Applies the action (imports and reports are not ours) and publishes what happened. */
    public Optional<ImageEvent> apply(ImageAction action) {
        if (!(action instanceof ExistingImageAction change)) {
            return Optional.empty(); // imports are the importer's; Blocked entries are reports
        }
        Glance glance = clouds.glance(action.cloud());
        ImageEvent outcome;
        // Only the holder of the family's claim renames, retires or otherwise changes its images: a run of another
        // pipeline acting on the same cloud is left to finish the family. The image is read under the claim, so
        // the precondition is checked on what no other run can change meanwhile.
        try (FamilyClaims.Hold hold = claims.hold(glance, action.family())) {
            outcome = checkAndCarryOut(change, glance, hold);
        } catch (FamilyClaims.HeldElsewhere e) {
            LOG.info("cloud={} image={}: left alone {}: {}", action.cloud(), action.family(), action.describe(), e.getMessage());
            outcome = new LeftAlone(EventJson.newEventId(), clock.instant(), action.cloud(), action.family(),
                    action.actionId(), action.describe(), e.holder(), e.until());
        } catch (GlanceException e) {
            if (action instanceof DeleteImage && e.status() == 409) {
                // still in use (or protected): reported and tried again by a later plan, never fatal
                outcome = skipped(action, "cannot delete now: " + e.getMessage());
            } else if (e.status() >= 400 && e.status() < 500) {
                // refused (a policy, a conflict): trying again at once would be refused again
                LOG.warn("cloud={} image={}: {} refused ({}): {}", action.cloud(), action.family(),
                        action.describe(), e.status(), e.getMessage());
                outcome = new ActionFailed(EventJson.newEventId(), clock.instant(), action.cloud(), action.family(),
                        action.actionId(), action.describe(), e.status(), oneLine(e.getMessage()));
            } else {
                throw e; // the cloud is away or broken: the listener tries again
            }
        }
        publisher.publish(outcome);
        count(action, outcome);
        return Optional.of(outcome);
    }

    private ImageEvent checkAndCarryOut(ExistingImageAction action, Glance glance, FamilyClaims.Hold hold)
            throws FamilyClaims.HeldElsewhere {
        String imageId = action.imageId();
        Optional<ObservedImage> current = glance.get(imageId);
        if (current.isEmpty()) {
            return action instanceof DeleteImage ? skipped(action, "already deleted") : skipped(action, "image " + imageId + " no longer exists");
        }
        if (!action.family().equals(ImageProperties.familyOf(current.get()))) {
            return skipped(action, "image " + imageId + " is not one of family '" + action.family() + "'");
        }
        hold.confirm();
        return carryOut(action, glance, current.get());
    }

    private ImageEvent carryOut(ExistingImageAction action, Glance glance, ObservedImage image) {
        return switch (action) {
            case RenameImage a -> {
                if (a.toName().equals(image.name())) {
                    yield skipped(a, "already called '" + a.toName() + "'");
                }
                if (!a.fromName().equals(image.name())) {
                    yield skipped(a, "image is now called '" + image.name() + "', not '" + a.fromName() + "'");
                }
                List<ObservedImage> holders = glance.nameHolders(a.toName());
                if (!holders.isEmpty()) {
                    // never two images with one name: the plan frees the name first; until then this waits for a re-plan
                    yield skipped(a, "name '" + a.toName() + "' is still taken by " + holders.getFirst().id());
                }
                glance.rename(a.imageId(), a.toName());
                yield changed(a, Change.RENAMED, image, a.fromName(), a.toName());
            }
            case SetVisibility a -> {
                if (a.to().equals(image.visibility())) {
                    yield skipped(a, "already " + a.to());
                }
                if (!a.from().equals(image.visibility())) {
                    yield skipped(a, "visibility is now " + image.visibility() + ", not " + a.from());
                }
                glance.setVisibility(a.imageId(), a.to());
                yield changed(a, Change.VISIBILITY, image, a.from(), a.to());
            }
            case UpdateProperties a -> {
                Map<String, String> differing = new TreeMap<>();
                a.set().forEach((k, v) -> {
                    if (!v.equals(image.property(k))) {
                        differing.put(k, v);
                    }
                });
                if (differing.isEmpty()) {
                    yield skipped(a, "properties already set");
                }
                glance.setProperties(a.imageId(), differing);
                yield changed(a, Change.PROPERTIES_SET, image, null, differing.toString());
            }
            case RemoveProperties a -> {
                List<String> present = a.keys().stream().filter(k -> image.property(k) != null).toList();
                if (present.isEmpty()) {
                    yield skipped(a, "properties already gone");
                }
                glance.removeProperties(a.imageId(), present);
                yield changed(a, Change.PROPERTIES_REMOVED, image, present.toString(), null);
            }
            case SetTags a -> {
                List<String> add = a.add().stream().filter(t -> !image.tags().contains(t)).toList();
                List<String> remove = a.remove().stream().filter(t -> image.tags().contains(t)).toList();
                if (add.isEmpty() && remove.isEmpty()) {
                    yield skipped(a, "tags already in line");
                }
                add.forEach(t -> glance.addTag(a.imageId(), t));
                remove.forEach(t -> glance.removeTag(a.imageId(), t));
                yield changed(a, Change.TAGS, image, image.tags().toString(), "+" + add + " -" + remove);
            }
            case SetMinimums a -> {
                if (a.minDisk() == image.minDisk() && a.minRam() == image.minRam()) {
                    yield skipped(a, "minimums already set");
                }
                glance.setMinimums(a.imageId(), a.minDisk(), a.minRam());
                yield changed(a, Change.MINIMUMS, image, image.minDisk() + "/" + image.minRam(), a.minDisk() + "/" + a.minRam());
            }
            case SetHidden a -> {
                if (a.hidden() == image.hidden()) {
                    yield skipped(a, "os_hidden already " + a.hidden());
                }
                glance.setHidden(a.imageId(), a.hidden());
                yield changed(a, Change.HIDDEN, image, String.valueOf(image.hidden()), String.valueOf(a.hidden()));
            }
            case Deactivate a -> {
                if (!"active".equals(image.status())) {
                    yield skipped(a, "image is " + image.status());
                }
                glance.deactivate(a.imageId());
                yield changed(a, Change.DEACTIVATED, image, image.status(), "deactivated");
            }
            case Reactivate a -> {
                if (!"deactivated".equals(image.status())) {
                    yield skipped(a, "image is " + image.status());
                }
                glance.reactivate(a.imageId());
                yield changed(a, Change.REACTIVATED, image, image.status(), "active");
            }
            case DeleteImage a -> {
                glance.delete(a.imageId());
                yield changed(a, Change.DELETED, image, image.status(), "deleted");
            }
            case AddImageMember a -> {
                if (!SHARED.equals(image.visibility())) {
                    yield skipped(a, "image is " + image.visibility() + ": Glance takes members only on shared images");
                }
                Optional<ObservedImage.Member> member = image.member(a.projectId());
                if (member.isPresent() && (member.get().accepted() || !a.accept())) {
                    yield skipped(a, "project " + a.projectId() + " is already a member (" + member.get().status() + ")");
                }
                String before = membership(a.projectId(), member.map(ObservedImage.Member::status).orElse(NO_MEMBER));
                if (member.isEmpty()) {
                    glance.addMember(a.imageId(), a.projectId());
                }
                if (!a.accept()) {
                    yield changed(a, Change.MEMBERS, image, before, membership(a.projectId(), "pending"));
                }
                Optional<String> refused = acceptOnBehalf(glance, a);
                if (refused.isEmpty()) {
                    yield changed(a, Change.MEMBERS, image, before, membership(a.projectId(), ObservedImage.Member.ACCEPTED));
                }
                // the member was there already: nothing changed, and a re-plan would only ask again
                yield member.isPresent() ? skipped(a, refused.get())
                        : changed(a, Change.MEMBERS, image, before, membership(a.projectId(), "pending") + " (" + refused.get() + ")");
            }
            case RemoveImageMember a -> {
                if (!SHARED.equals(image.visibility())) {
                    yield skipped(a, "image is " + image.visibility() + ": Glance shows no members of it");
                }
                Optional<ObservedImage.Member> member = image.member(a.projectId());
                if (member.isEmpty()) {
                    yield skipped(a, "project " + a.projectId() + " is no member");
                }
                glance.removeMember(a.imageId(), a.projectId());
                yield changed(a, Change.MEMBERS, image, membership(a.projectId(), member.get().status()),
                        membership(a.projectId(), NO_MEMBER));
            }
        };
    }

    /**
     * Accepts the membership on the project's behalf. Glance allows that to the project itself and to admins only
     * (the owner of the image gets a 403): a refusal is a reason, not a failure.
     */
    private static Optional<String> acceptOnBehalf(Glance glance, AddImageMember action) {
        try {
            glance.setMemberStatus(action.imageId(), action.projectId(), ObservedImage.Member.ACCEPTED);
            return Optional.empty();
        } catch (GlanceException e) {
            if (e.status() != 403) {
                throw e;
            }
            return Optional.of("accepting on behalf of project " + action.projectId() + " was refused: Glance allows it "
                    + "only to the project itself and to admins (without admin credentials set share-accept to false)");
        }
    }

    private static String membership(String projectId, String status) {
        return projectId + ": " + status;
    }

    /** Glance's answers come as HTML-ish paragraphs: one line reads better in events, summaries and logs. */
    private static String oneLine(String message) {
        return message == null ? "" : message.replaceAll("\\s+", " ").strip();
    }

    private void count(ImageAction action, ImageEvent outcome) {
        String type = action.getClass().getSimpleName();
        switch (outcome) {
            case ImageChanged changed -> metrics.rotatorActionApplied(action.cloud(), type);
            case ActionFailed refused -> metrics.rotatorActionRefused(action.cloud(), type, refused.status());
            case LeftAlone left -> metrics.leftAlone(action.cloud(), "rotator");
            default -> metrics.rotatorActionSkipped(action.cloud(), type);
        }
    }

    private ImageChanged changed(ImageAction action, Change change, ObservedImage image, String before, String after) {
        LOG.info("cloud={} image={}: {} '{}' {} -> {}", action.cloud(), action.family(), change, image.name(), before, after);
        return new ImageChanged(EventJson.newEventId(), clock.instant(), action.cloud(), action.family(), action.actionId(),
                change, image.id(), change == Change.RENAMED ? after : image.name(), before, after);
    }

    private ActionSkipped skipped(ImageAction action, String reason) {
        LOG.info("cloud={} image={}: skipped {}: {}", action.cloud(), action.family(), action.describe(), reason);
        return new ActionSkipped(EventJson.newEventId(), clock.instant(), action.cloud(), action.family(),
                action.actionId(), action.describe(), reason);
    }
}
