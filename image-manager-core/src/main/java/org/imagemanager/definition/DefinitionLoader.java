package org.imagemanager.definition;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and validates definition files ({@code images: [...]}).
 *
 * <p>The YAML is only <em>composed</em> into a node tree (SnakeYAML's composer): no object of any type is ever
 * constructed from the input, aliases are bounded (no "billion laughs"), nesting depth and document size are
 * limited. The tree keeps every node's position, so each error names file, line, column and the key path.
 */
public final class DefinitionLoader {
    static final int MAX_DOCUMENT_CHARS = 4 * 1024 * 1024;
    static final int MAX_NESTING = 40;

    /** Reads several files; every file is read and every error is reported, then all errors are thrown together. */
    public List<LocatedDefinition> loadAll(Map<String, ? extends StreamSupplier> files, String commit) throws DefinitionException {
        ValidationReport report = validate(files, commit);
        if (!report.errors().isEmpty()) {
            throw new DefinitionException(report.errors());
        }
        return report.definitions();
    }

    /** Reads one file. */
    public List<LocatedDefinition> load(String fileName, InputStream in, String commit) throws DefinitionException {
        return loadAll(Map.of(fileName, () -> in), commit);
    }

    /** Validates every file and the set as a whole (duplicate names and ids); never throws for bad content. */
    public ValidationReport validate(Map<String, ? extends StreamSupplier> files, String commit) {
        List<LocatedDefinition> all = new ArrayList<>();
        List<DefinitionError> errors = new ArrayList<>();
        List<DefinitionError> warnings = new ArrayList<>();
        for (Map.Entry<String, ? extends StreamSupplier> file : new java.util.TreeMap<>(files).entrySet()) {
            DefinitionBinder binder = new DefinitionBinder(file.getKey());
            try (InputStream in = file.getValue().open();
                 Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                Node root = yaml().compose(reader);
                for (DefinitionBinder.Bound bound : binder.bind(root)) {
                    all.add(new LocatedDefinition(bound.definition(), new DefinitionSource(file.getKey(), bound.line(), commit)));
                }
            } catch (DefinitionBinder.TooComplexException e) {
                binder.errors().add(new DefinitionError(file.getKey(), e.at.getStartMark().getLine() + 1,
                        e.at.getStartMark().getColumn() + 1, "", "the document is too large or complex (aliases expand too far)"));
            } catch (MarkedYAMLException e) {
                Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
                binder.errors().add(new DefinitionError(file.getKey(), mark == null ? 0 : mark.getLine() + 1,
                        mark == null ? 0 : mark.getColumn() + 1, "", "not valid YAML: " + oneLine(e.getProblem() != null ? e.getProblem() : e.getMessage())));
            } catch (YAMLException e) {
                binder.errors().add(new DefinitionError(file.getKey(), 0, 0, "", "not acceptable YAML: " + oneLine(e.getMessage())));
            } catch (IOException e) {
                binder.errors().add(new DefinitionError(file.getKey(), 0, 0, "", "cannot be read: " + e.getMessage()));
            }
            errors.addAll(binder.errors());
            warnings.addAll(binder.warnings());
        }
        Map<String, LocatedDefinition> byName = new HashMap<>();
        Map<String, String> byId = new HashMap<>();
        for (LocatedDefinition d : all) {
            LocatedDefinition first = byName.putIfAbsent(d.definition().name(), d);
            if (first != null) {
                errors.add(new DefinitionError(d.source().file(), d.source().line(), 1, "name",
                        "image name '" + d.definition().name() + "' is already defined at " + first.source().file()
                                + ":" + first.source().line()));
            }
            for (VersionDefinition v : d.definition().versions()) {
                if (v.id() != null) {
                    String where = d.source().file() + ":" + d.source().line() + " (" + d.definition().name() + " " + v.version() + ")";
                    String other = byId.putIfAbsent(v.id(), where);
                    if (other != null) {
                        errors.add(new DefinitionError(d.source().file(), d.source().line(), 1, "id",
                                "image id " + v.id() + " is also used by " + other));
                    }
                }
            }
        }
        return new ValidationReport(errors.isEmpty() ? all : List.of(), errors, warnings);
    }

    private static Yaml yaml() {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(50);
        options.setNestingDepthLimit(MAX_NESTING);
        options.setCodePointLimit(MAX_DOCUMENT_CHARS);
        options.setAllowRecursiveKeys(false);
        return new Yaml(options);
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("\\s+", " ").trim();
    }

    /** Opens a file's content; lets callers hand over files from disk or from a git tree alike. */
    @FunctionalInterface
    public interface StreamSupplier {
        InputStream open() throws IOException;
    }
}
