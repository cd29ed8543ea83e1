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
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
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
    static final int MAX_NESTING = 40;

    private final DefinitionLimits limits;

    /** With the limits this process was configured with ({@link DefinitionLimits#configured()}). */
    public DefinitionLoader() {
        this(DefinitionLimits.configured());
    }

    public DefinitionLoader(DefinitionLimits limits) {
        this.limits = limits;
    }

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
        Map<String, ? extends StreamSupplier> sorted = new java.util.TreeMap<>(files);
        List<DefinitionError> tooLarge = sizeErrors(sorted);
        if (!tooLarge.isEmpty()) {
            // refused before a byte is read: parsing such input would cost minutes and gigabytes
            return new ValidationReport(List.of(), tooLarge, List.of());
        }
        for (Map.Entry<String, ? extends StreamSupplier> file : sorted.entrySet()) {
            DefinitionBinder binder = new DefinitionBinder(file.getKey());
            ParserImpl parser = null;
            try {
                String text = readText(file.getKey(), file.getValue());
                parser = new ParserImpl(new StreamReader(new StringReader(text)), options());
                Node root = new Composer(parser, new Resolver(), options()).getSingleNode();
                for (DefinitionBinder.Bound bound : binder.bind(root)) {
                    all.add(bound);
                }
            } catch (RefusedInput e) {
                binder.errors().add(e.error);
            } catch (YamlNodes.TooComplexException e) {
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

    /** Files (and the whole set) whose size, known before reading, is over the limits. */
    private List<DefinitionError> sizeErrors(Map<String, ? extends StreamSupplier> files) {
        List<DefinitionError> errors = new ArrayList<>();
        long total = 0;
        String largest = null;
        long largestSize = -1;
        for (Map.Entry<String, ? extends StreamSupplier> file : files.entrySet()) {
            long size = file.getValue().size();
            if (size > limits.maxFileBytes()) {
                errors.add(tooLarge(file.getKey(), size));
            }
            total += Math.max(0, size);
            if (size > largestSize) {
                largest = file.getKey();
                largestSize = size;
            }
        }
        if (errors.isEmpty() && total > limits.maxTotalBytes()) {
            errors.add(new DefinitionError(largest, 1, 1, "", "the definitions add up to " + DefinitionLimits.readable(total)
                    + " in " + files.size() + " files, more than the limit of " + DefinitionLimits.readable(limits.maxTotalBytes())
                    + " (" + DefinitionLimits.TOTAL_PROPERTY + "); the largest is this one, "
                    + DefinitionLimits.readable(largestSize)));
        }
        return errors;
    }

    private DefinitionError tooLarge(String file, long size) {
        return new DefinitionError(file, 1, 1, "", "the file is " + (size < 0 ? "larger than the limit" : DefinitionLimits.readable(size))
                + "; a definitions file may hold at most " + DefinitionLimits.readable(limits.maxFileBytes())
                + " (" + DefinitionLimits.FILE_PROPERTY + ")");
    }

    /**
     * The file's text, decoded as strict UTF-8: a byte sequence that is not UTF-8 is an error at its line and column,
     * never a silent U+FFFD in a published definition. At most the file limit is read, whatever the stream claims.
     */
    private String readText(String file, StreamSupplier supplier) throws IOException {
        byte[] bytes;
        try (InputStream in = supplier.open()) {
            bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limits.maxFileBytes() + 1));
        }
        if (bytes.length > limits.maxFileBytes()) {
            throw new RefusedInput(tooLarge(file, -1));
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer input = ByteBuffer.wrap(bytes);
        CharBuffer output = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(input, output, true);
        if (!result.isError()) {
            result = decoder.flush(output);
        }
        if (result.isError()) {
            int at = input.position();
            int line = 1;
            int lineStart = 0;
            for (int i = 0; i < at; i++) {
                if (bytes[i] == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
            String before = new String(bytes, lineStart, at - lineStart, StandardCharsets.UTF_8);
            int column = before.codePointCount(0, before.length()) + 1;
            StringBuilder hex = new StringBuilder();
            for (int i = at; i < Math.min(bytes.length, at + Math.max(1, result.length())); i++) {
                hex.append(String.format("\\x%02X", bytes[i] & 0xff));
            }
            throw new RefusedInput(new DefinitionError(file, line, column, "", "not valid UTF-8 (bytes " + hex
                    + " at byte offset " + at + "); definitions files must be UTF-8 text"));
        }
        output.flip();
        String text = output.toString();
        return text.startsWith("\uFEFF") ? text.substring(1) : text; // a byte order mark is allowed, as PyYAML does
    }

    /** Input refused before parsing, with the error to report. */
    private static final class RefusedInput extends IOException {
        final transient DefinitionError error;

        RefusedInput(DefinitionError error) {
            super(error.message(), null);
            this.error = error;
        }
    }

    private LoaderOptions options() {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(50);
        options.setNestingDepthLimit(MAX_NESTING);
        options.setCodePointLimit((int) Math.min(Integer.MAX_VALUE, limits.maxFileBytes()));
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

        /** The size in bytes when known before reading (files, git blobs), else -1: the read is bounded then. */
        default long size() {
            return -1;
        }

        /** A file whose size is known, so that an oversized one is refused without being opened. */
        static StreamSupplier sized(long size, StreamSupplier opener) {
            return new StreamSupplier() {
                @Override
                public InputStream open() throws IOException {
                    return opener.open();
                }

                @Override
                public long size() {
                    return size;
                }
            };
        }
    }
}
