package org.imagemanager.event;

import java.time.Instant;
import java.util.List;

/**
 * The definitions service published the definitions of one commit (or folder state).
 *
 * @param images  every image the source defines at {@code commit}
 * @param changed images added or changed by this publication (a {@code DefinitionChanged} each)
 * @param removed images removed by it (a {@code DefinitionRemoved} and a tombstone each)
 */
public record DefinitionsPublished(String eventId, Instant time, String source, String commit, List<String> images,
                                   List<String> changed, List<String> removed)
        implements ImageEvent {
    public DefinitionsPublished {
        images = List.copyOf(images);
        changed = changed == null ? List.copyOf(images) : List.copyOf(changed);
        removed = removed == null ? List.of() : List.copyOf(removed);
    }

    /** A publication of everything (a folder, a republish): every image counts as changed. */
    public DefinitionsPublished(String eventId, Instant time, String source, String commit, List<String> images) {
        this(eventId, time, source, commit, images, images, List.of());
    }

    @Override
    public String key() {
        return source;
    }
}
