package org.imagemanager.definition;

import java.util.List;

/**
 * The outcome of validating a set of definition files. {@code definitions} is empty whenever there is any error:
 * a broken set is never partly used. Warnings never block.
 */
public record ValidationReport(List<LocatedDefinition> definitions, List<DefinitionError> errors, List<DefinitionError> warnings) {
    public ValidationReport {
        definitions = List.copyOf(definitions);
        errors = List.copyOf(errors);
        warnings = List.copyOf(warnings);
    }

    public boolean valid() {
        return errors.isEmpty();
    }
}
