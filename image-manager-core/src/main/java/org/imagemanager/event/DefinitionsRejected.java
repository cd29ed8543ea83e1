package org.imagemanager.event;

import org.imagemanager.definition.DefinitionError;

import java.time.Instant;
import java.util.List;

/**
 * A commit whose definitions are invalid: every error with file, line and field. Nothing of it was published; the
 * previous valid state of the repository stays in force.
 */
public record DefinitionsRejected(String eventId, Instant time, String source, String commit,
                                  List<DefinitionError> errors) implements ImageEvent {
    public DefinitionsRejected {
        errors = List.copyOf(errors);
    }

    @Override
    public String key() {
        return source;
    }
}
