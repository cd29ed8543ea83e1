package org.imagemanager.plan;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the cloud says about one image: the observed side of the reconciliation.
 *
 * @param owner     project id of the owner (null when unknown)
 * @param sizeBytes size of the stored data (null before upload)
 * @param hidden    Glance's {@code os_hidden}
 */
public record ObservedImage(String id, String name, String status, String visibility, String diskFormat,
                            Map<String, String> properties, List<String> tags, Instant createdAt,
                            String owner, Long sizeBytes, int minDisk, int minRam, boolean hidden) {
    private static final Set<String> IN_PROGRESS = Set.of("queued", "saving", "uploading", "importing");

    public ObservedImage {
        properties = properties == null ? Map.of() : Map.copyOf(properties);
        tags = tags == null ? List.of() : List.copyOf(tags);
    }

    /** The fields the walking skeleton knew; the rest unknown (no owner, no size, no minimums, not hidden). */
    public ObservedImage(String id, String name, String status, String visibility, String diskFormat,
                         Map<String, String> properties, List<String> tags, Instant createdAt) {
        this(id, name, status, visibility, diskFormat, properties, tags, createdAt, null, null, 0, 0, false);
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
