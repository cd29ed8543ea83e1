package org.imagemanager.plan;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What the cloud says about one image: the observed side of the reconciliation. */
public record ObservedImage(String id, String name, String status, String visibility, String diskFormat,
                            Map<String, String> properties, List<String> tags, Instant createdAt) {
    private static final Set<String> IN_PROGRESS = Set.of("queued", "saving", "uploading", "importing");

    public ObservedImage {
        properties = properties == null ? Map.of() : Map.copyOf(properties);
        tags = tags == null ? List.of() : List.copyOf(tags);
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
}
