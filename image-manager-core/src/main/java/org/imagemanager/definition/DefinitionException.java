package org.imagemanager.definition;

import java.util.List;
import java.util.stream.Collectors;

/** Raised when definitions cannot be read; lists every problem with file, line and field. */
public class DefinitionException extends Exception {
    private final List<DefinitionError> errors;

    public DefinitionException(List<DefinitionError> errors) {
        super(errors.stream().map(DefinitionError::toString).collect(Collectors.joining("\n")));
        this.errors = List.copyOf(errors);
    }

    public List<DefinitionError> errors() {
        return errors;
    }
}
