package org.imagemanager.definition;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs every case of the malformed-definition corpus ({@code src/test/resources/malformed/}) through
 * {@link DefinitionLoader#validate} and checks that it is refused, that nothing could be planned from it, and that the
 * first error on the expected key path sits on the expected (1-based) line of the expected file and says what is wrong.
 *
 * <p>The expectations are in {@code malformed/expected.tsv}; each file also states its problem in its first line.
 * A case may carry a bug id in the last column while a main-code bug makes it fail; such a case is left out of the
 * parameterized run until the bug is fixed. None does today.
 */
class MalformedCorpusTest {
    private static final String CORPUS = "/malformed";
    private static final String ROOT_FIELD = "<root>";

    /** Cases built at run time instead of being committed (a > 4 MiB file has no place in the repository). */
    static final Map<String, Supplier<String>> GENERATED = Map.of(
            "hostile-huge-document.yml", MalformedCorpusTest::hugeDocument);

    /** One row of expected.tsv. */
    record Case(String name, String file, int line, String field, String fragment, String bug) {
        boolean isFolder() {
            return name.endsWith("/");
        }

        String expectedFile() {
            return ".".equals(file) ? name : file;
        }

        String expectedField() {
            return ROOT_FIELD.equals(field) ? "" : field;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static List<Case> allCases() {
        try (InputStream in = MalformedCorpusTest.class.getResourceAsStream(CORPUS + "/expected.tsv")) {
            List<Case> cases = new ArrayList<>();
            boolean header = true;
            for (String row : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (row.isBlank() || row.startsWith("#")) {
                    continue;
                }
                if (header) {
                    header = false; // case  file  line  field  fragment  bug
                    continue;
                }
                String[] c = row.split("\t", -1);
                assertTrue(c.length >= 5, () -> "malformed row in expected.tsv: " + row);
                cases.add(new Case(c[0], c[1], Integer.parseInt(c[2]), c[3], c[4], c.length > 5 ? c[5].trim() : ""));
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The cases expected to pass today (no known bug). */
    static Stream<Case> corpus() {
        return allCases().stream().filter(c -> c.bug().isEmpty());
    }

    static Case byName(String name) {
        return allCases().stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no case " + name + " in expected.tsv"));
    }

    private final DefinitionLoader loader = new DefinitionLoader();

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void shouldRejectTheCaseWithTheExpectedLineFieldAndMessage(Case c) {
        check(c);
    }

    @Test
    void shouldHaveAnExpectationForEveryFileOfTheCorpusAndAFileForEveryExpectation() throws Exception {
        Path root = corpusRoot();
        TreeSet<String> onDisk = new TreeSet<>();
        try (Stream<Path> entries = Files.list(root)) {
            entries.filter(p -> !p.getFileName().toString().equals("expected.tsv"))
                    .forEach(p -> onDisk.add(p.getFileName() + (Files.isDirectory(p) ? "/" : "")));
        }
        TreeSet<String> expected = allCases().stream().map(Case::name)
                .filter(name -> !GENERATED.containsKey(name)).collect(Collectors.toCollection(TreeSet::new));

        assertEquals(expected, onDisk);
        GENERATED.keySet().forEach(name -> assertFalse(Files.exists(root.resolve(name)), name + " is generated, not committed"));
    }

    @Test
    void shouldHoldAtLeast36CasesEachWithItsOwnName() {
        List<Case> cases = allCases();

        assertTrue(cases.size() >= 36, "corpus size " + cases.size());
        assertEquals(cases.size(), cases.stream().map(Case::name).distinct().count(), "case names must be unique");
    }

    @Test
    void shouldGenerateAHugeDocumentAboveTheLimit() {
        assertTrue(hugeDocument().length() > DefinitionLimits.DEFAULT_MAX_FILE_BYTES);
    }

    // ---- the check -------------------------------------------------------------------------------------------------

    void check(Case c) {
        Map<String, DefinitionLoader.StreamSupplier> files = files(c);

        ValidationReport report = loader.validate(files, "corpus");

        String all = report.errors().stream().map(DefinitionError::toString).collect(Collectors.joining("\n  "));
        assertFalse(report.valid(), c + " must be refused");
        assertTrue(report.definitions().isEmpty(), c + ": no definition of a refused set may be used");
        assertTrue(report.errors().stream().allMatch(e -> files.containsKey(e.file())),
                () -> c + ": every error names one of the files read:\n  " + all);

        Optional<DefinitionError> match = report.errors().stream()
                .filter(e -> c.expectedField().equals(e.field())).findFirst();
        DefinitionError error = match.orElseGet(() -> fail(c + ": no error on field '" + c.expectedField() + "'; got:\n  " + all));

        assertEquals(c.expectedFile(), error.file(), () -> c + ": file\n  " + all);
        assertEquals(c.line(), error.line(), () -> c + ": line\n  " + all);
        assertTrue(error.message().toLowerCase(Locale.ROOT).contains(c.fragment().toLowerCase(Locale.ROOT)),
                () -> c + ": message should contain '" + c.fragment() + "': " + error);
        assertTrue(error.toString().startsWith(c.expectedFile() + ":" + c.line() + ":"), error::toString);
    }

    private static Map<String, DefinitionLoader.StreamSupplier> files(Case c) {
        Map<String, DefinitionLoader.StreamSupplier> files = new TreeMap<>();
        if (GENERATED.containsKey(c.name())) {
            byte[] bytes = GENERATED.get(c.name()).get().getBytes(StandardCharsets.UTF_8);
            files.put(c.name(), () -> new ByteArrayInputStream(bytes));
            return files;
        }
        Path path = corpusRoot().resolve(c.name());
        try {
            if (c.isFolder()) {
                try (Stream<Path> entries = Files.list(path)) {
                    for (Path p : entries.sorted().toList()) {
                        byte[] bytes = Files.readAllBytes(p);
                        files.put(p.getFileName().toString(), () -> new ByteArrayInputStream(bytes));
                    }
                }
                assertTrue(files.size() >= 2, c + " is a folder case of several files");
            } else {
                byte[] bytes = Files.readAllBytes(path);
                files.put(c.name(), () -> new ByteArrayInputStream(bytes));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    private static Path corpusRoot() {
        try {
            return Path.of(MalformedCorpusTest.class.getResource(CORPUS).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A well-formed definition whose meta grows past the 4 MiB document limit (about 4.5 MiB). */
    static String hugeDocument() {
        StringBuilder yaml = new StringBuilder("""
                images:
                  - name: Huge
                    format: qcow2
                    versions:
                      - version: '1'
                        url: https://cloud.example.org/huge.qcow2
                    meta:
                """);
        String filler = "x".repeat(1000);
        for (int i = 0; yaml.length() <= DefinitionLimits.DEFAULT_MAX_FILE_BYTES + 512 * 1024; i++) {
            yaml.append("      property_").append(i).append(": '").append(filler).append("'\n");
        }
        return yaml.toString();
    }
}
