package org.imagemanager.definition;

/** One problem in a definitions file: where it is, which field, and what is wrong. */
public record DefinitionError(String file, int line, int column, String field, String message) {
    @Override
    public String toString() {
        return file + ":" + line + ":" + column + ": " + (field == null || field.isEmpty() ? "" : field + ": ") + message;
    }
}
