package org.imagemanager.plan;

import org.imagemanager.definition.ImageDefinition;
import org.imagemanager.definition.VersionDefinition;
import org.imagemanager.event.AddImageMember;
import org.imagemanager.event.Blocked;
import org.imagemanager.event.ImageAction;
import org.imagemanager.event.RemoveImageMember;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * What the planning of one image family starts from, and what its steps ({@link Inventory}, {@link Cleanup},
 * {@link Naming}, {@link DesiredState}, {@link Retirement}) share. Immutable: each step returns its part of the plan
 * as a value.
 *
 * @param definition        null for a family no definition names any more
 * @param images            the family's managed images in this cloud
 * @param names             who holds which name in the cloud before the plan
 * @param retirementAllowed false in a round with a failed import
 */
record Family(ImageDefinition definition, String name, List<ObservedImage> images, PlanOptions options,
              Reconciler.Inputs inputs, NameRegistry names, boolean retirementAllowed) {
    static final String SHARED = "shared";

    Family {
        images = List.copyOf(images);
    }

    String cloud() {
        return options.cloud();
    }

    /** Whether the family has a plain name that moves to its newest build ({@code multi: true}). */
    boolean rotating() {
        return definition == null || definition.hasRotatingName();
    }

    String separator() {
        return definition != null ? definition.effectiveSeparator() : ImageDefinition.DEFAULT_SEPARATOR;
    }

    /** An import still running: Glance is busy with it, or it is done in Glance but not yet verified by us. */
    static boolean importRunning(ObservedImage image) {
        return image.importInProgress() || (image.usable() && image.property(ImageProperties.PENDING) != null);
    }

    /** A running import nobody works on any more: its family has no live claim, or it has run for too long. */
    boolean stale(ObservedImage image) {
        return inputs.unclaimed().contains(name)
                || image.createdAt() != null && image.createdAt().plus(options.staleImport()).isBefore(options.now());
    }

    Blocked blocked(String imageName, String reason) {
        return blocked(null, imageName, reason);
    }

    /** Blocked about one image: its id is part of the action id, so two images blocked alike stay two reports. */
    Blocked blocked(ObservedImage image, String imageName, String reason) {
        return new Blocked(ActionIds.of("blocked", cloud(), name, image == null ? "" : image.id(), String.valueOf(imageName), reason),
                cloud(), name, imageName, reason);
    }

    static String dayOf(ObservedImage image) {
        return image.createdAt() == null ? image.id() : image.createdAt().atZone(ZoneOffset.UTC).toLocalDate()
                .format(DateTimeFormatter.BASIC_ISO_DATE);
    }

    static String versionOf(ObservedImage image) {
        String version = image.property(ImageProperties.INTERNAL_VERSION);
        return version != null ? version : dayOf(image);
    }

    /** {@code Family (version)}: the name an older build moves to. */
    String suffixed(ObservedImage image) {
        return name + separator() + "(" + versionOf(image) + ")";
    }

    /**
     * {@code Family (version id8)}: a name of its own for an image whose plain suffixed name is taken. Two ids
     * may begin alike; when that name is {@code taken} too, the whole id, which is unique in a cloud.
     */
    String withId(String version, ObservedImage image, Predicate<String> taken) {
        String shortId = image.id().substring(0, Math.min(8, image.id().length()));
        String candidate = name + separator() + "(" + version + " " + shortId + ")";
        return taken.test(candidate) ? name + separator() + "(" + version + " " + image.id() + ")" : candidate;
    }

    /** @param upstreamChecksum the {@code upstream_checksum} value to set, or null for none */
    Map<String, String> desiredProperties(VersionDefinition version, String internalVersion, String upstreamChecksum) {
        Map<String, String> properties = ImageProperties.forVersion(definition, version, internalVersion);
        if (upstreamChecksum != null) {
            properties.put(ImageProperties.UPSTREAM_CHECKSUM, upstreamChecksum);
        }
        Set<String> keys = new TreeSet<>(properties.keySet());
        properties.put(ImageProperties.FAMILY, name);
        properties.putAll(ImageProperties.managedKeysProperties(keys));
        return properties;
    }

    /** The {@code upstream_checksum} to write for an upstream (null for a version that is not {@code latest}). */
    static String upstreamChecksum(Upstream upstream) {
        return upstream == null ? null : ImageProperties.upstreamChecksumValue(upstream.checksum());
    }

    List<String> desiredTags() {
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
    int minDisk(Long sizeBytes) {
        int defined = definition.minDisk() == null ? 0 : definition.minDisk();
        if (sizeBytes == null || sizeBytes <= 0) {
            return defined;
        }
        long gib = (sizeBytes + (1L << 30) - 1) >> 30;
        return (int) Math.max(defined, gib);
    }

    int minRam() {
        return definition.minRam() == null ? 0 : definition.minRam();
    }

    /**
     * The member changes of a managed image that is (or becomes) shared: exactly the projects of the share options,
     * each accepted when we accept on its behalf. Nothing at all without share options: members are then the
     * operator's. The owner needs no membership (a shared domain may well hold the owner's own project).
     */
    List<ImageAction> members(ObservedImage image, String imageName) {
        if (options.shareProjects() == null) {
            return List.of();
        }
        List<ImageAction> actions = new ArrayList<>();
        Set<String> wanted = new TreeSet<>(options.shareProjects());
        if (image.owner() != null) {
            wanted.remove(image.owner());
        }
        for (String project : wanted) {
            Optional<ObservedImage.Member> member = image.member(project);
            if (member.isEmpty() || (options.shareAccept() && !member.get().accepted())) {
                String from = member.map(ObservedImage.Member::status).orElse(null);
                actions.add(new AddImageMember(ActionIds.of("member", cloud(), image.id(), project, String.valueOf(from),
                        String.valueOf(options.shareAccept())), cloud(), name, image.id(), imageName, project, from,
                        options.shareAccept()));
            }
        }
        for (ObservedImage.Member member : image.members()) {
            if (!wanted.contains(member.projectId())) {
                actions.add(new RemoveImageMember(ActionIds.of("unshare", cloud(), image.id(), member.projectId()), cloud(),
                        name, image.id(), imageName, member.projectId()));
            }
        }
        return actions;
    }
}
