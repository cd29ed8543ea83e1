package org.imagemanager.definition;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;
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
        List<DefinitionBinder.Bound> all = new ArrayList<>();
        List<DefinitionError> errors = new ArrayList<>();
        List<DefinitionError> warnings = new ArrayList<>();
        for (Map.Entry<String, ? extends StreamSupplier> file : new java.util.TreeMap<>(files).entrySet()) {
            DefinitionBinder binder = new DefinitionBinder(file.getKey());
            ParserImpl parser = null;
            try (InputStream in = file.getValue().open();
                 Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                parser = new ParserImpl(new StreamReader(reader), options());
                Node root = new Composer(parser, new Resolver(), options()).getSingleNode();
                for (DefinitionBinder.Bound bound : binder.bind(root)) {
                    all.add(bound);
                }
            } catch (DefinitionBinder.TooComplexException e) {
                binder.errors().add(new DefinitionError(file.getKey(), e.at.getStartMark().getLine() + 1,
                        e.at.getStartMark().getColumn() + 1, "", "the document is too large or complex (aliases expand too far)"));
            } catch (MarkedYAMLException e) {
                binder.errors().add(syntaxError(file.getKey(), e));
            } catch (YAMLException e) {
                // a limit (aliases, nesting, size): name it, at the place the parser had reached
                Mark at = positionOf(parser);
                binder.errors().add(new DefinitionError(file.getKey(), at == null ? 1 : at.getLine() + 1,
                        at == null ? 1 : at.getColumn() + 1, "", "refused: " + oneLine(e.getMessage())));
            } catch (IOException e) {
                binder.errors().add(new DefinitionError(file.getKey(), 0, 0, "", "cannot be read: " + e.getMessage()));
            }
            errors.addAll(binder.errors());
            warnings.addAll(binder.warnings());
        }
        Map<String, DefinitionBinder.Bound> byName = new HashMap<>();
        Map<String, DefinitionBinder.Place> byId = new HashMap<>();
        for (DefinitionBinder.Bound d : all) {
            DefinitionBinder.Bound first = byName.putIfAbsent(d.definition().name(), d);
            if (first != null) {
                errors.add(d.name().error("image name '" + d.definition().name() + "' is already defined at "
                        + first.name().file() + ":" + first.name().line()));
            }
            d.ids().forEach((uuid, place) -> {
                DefinitionBinder.Place other = byId.putIfAbsent(uuid, place);
                if (other != null) {
                    errors.add(place.error("image id " + uuid + " is also used by " + other.file() + ":" + other.line()
                            + " (" + other.field() + ")"));
                }
            });
        }
        List<LocatedDefinition> located = all.stream()
                .map(b -> new LocatedDefinition(b.definition(), new DefinitionSource(b.name().file(), b.line(), commit)))
                .toList();
        return new ValidationReport(errors.isEmpty() ? located : List.of(), errors, warnings);
    }

    private static LoaderOptions options() {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(50);
        options.setNestingDepthLimit(MAX_NESTING);
        options.setCodePointLimit(MAX_DOCUMENT_CHARS);
        options.setAllowRecursiveKeys(false);
        return options;
    }

    /** A syntax error with both places the parser names: where it was (context) and what it found (problem). */
    private static DefinitionError syntaxError(String file, MarkedYAMLException e) {
        Mark problem = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
        StringBuilder message = new StringBuilder("not valid YAML: ");
        if (e.getContext() != null) {
            message.append(oneLine(e.getContext()));
            if (e.getContextMark() != null && e.getProblemMark() != null
                    && e.getContextMark().getLine() != e.getProblemMark().getLine()) {
                message.append(" (started at line ").append(e.getContextMark().getLine() + 1).append(')');
            }
            message.append(": ");
        }
        message.append(oneLine(e.getProblem() != null ? e.getProblem() : e.getMessage()));
        return new DefinitionError(file, problem == null ? 1 : problem.getLine() + 1,
                problem == null ? 1 : problem.getColumn() + 1, "", message.toString());
    }

    private static Mark positionOf(ParserImpl parser) {
        if (parser == null) {
            return null;
        }
        try {
            return parser.peekEvent().getStartMark();
        } catch (RuntimeException e) {
            return null; // the parser cannot go on either (e.g. the size limit): the start of the document
        }
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
