package org.imagemanager.event;

import java.time.Instant;
import java.util.List;

/** The definitions service published the definitions of one commit (or folder state). */
public record DefinitionsPublished(String eventId, Instant time, String source, String commit, List<String> images)
        implements ImageEvent {
    public DefinitionsPublished {
        images = List.copyOf(images);
    }

    @Override
    public String key() {
        return source;
    }
}
