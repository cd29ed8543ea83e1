package org.imagemanager.plan;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the cloud says about one image: the observed side of the reconciliation.
 *
 * @param owner     project id of the owner (null when unknown)
 * @param sizeBytes size of the stored data (null before upload)
 * @param hidden    Glance's {@code os_hidden}
 * @param members   the projects the image is shared with. Glance shows (and accepts) members only on
 *                  {@code shared} images, so every other image has none here.
 */
public record ObservedImage(String id, String name, String status, String visibility, String diskFormat,
                            Map<String, String> properties, List<String> tags, Instant createdAt,
                            String owner, Long sizeBytes, int minDisk, int minRam, boolean hidden,
                            List<Member> members) {
    private static final Set<String> IN_PROGRESS = Set.of("queued", "saving", "uploading", "importing");

    /**
     * A project an image is shared with, and whether it took the image: only an {@code accepted} member sees it in
     * its image list ({@code pending} and {@code rejected} ones can still boot it by id).
     */
    public record Member(String projectId, String status) {
        public static final String ACCEPTED = "accepted";

        public boolean accepted() {
            return ACCEPTED.equals(status);
        }
    }

    public ObservedImage {
        properties = properties == null ? Map.of() : Map.copyOf(properties);
        tags = tags == null ? List.of() : List.copyOf(tags);
        // in project order: Glance lists members in no promised order, and plans must not depend on it
        members = members == null ? List.of() : members.stream().sorted(Comparator.comparing(Member::projectId)).toList();
    }

    /** An image without members (any image that is not {@code shared}). */
    public ObservedImage(String id, String name, String status, String visibility, String diskFormat,
                         Map<String, String> properties, List<String> tags, Instant createdAt,
                         String owner, Long sizeBytes, int minDisk, int minRam, boolean hidden) {
        this(id, name, status, visibility, diskFormat, properties, tags, createdAt, owner, sizeBytes, minDisk, minRam,
                hidden, List.of());
    }

    /** The fields the walking skeleton knew; the rest unknown (no owner, no size, no minimums, not hidden). */
    public ObservedImage(String id, String name, String status, String visibility, String diskFormat,
                         Map<String, String> properties, List<String> tags, Instant createdAt) {
        this(id, name, status, visibility, diskFormat, properties, tags, createdAt, null, null, 0, 0, false);
    }

    public ObservedImage withMembers(List<Member> value) {
        return new ObservedImage(id, name, status, visibility, diskFormat, properties, tags, createdAt, owner, sizeBytes,
                minDisk, minRam, hidden, value);
    }

    public Optional<Member> member(String projectId) {
        return members.stream().filter(m -> m.projectId().equals(projectId)).findFirst();
    }

    public String property(String key) {
        return properties.get(key);
    }

    public boolean usable() {
        return "active".equals(status) || "deactivated".equals(status);
    }

    public boolean importInProgress() {
        return IN_PROGRESS.contains(status);
    }

    /**
     * Whether users of {@code projectId} see this image under its name: their own images and public ones. An admin
     * lists every project's images, but another project's private image does not take a name from this one.
     */
    public boolean visibleTo(String projectId) {
        return projectId == null || owner == null || projectId.equals(owner) || "public".equals(visibility);
    }
}
