package org.imagemanager.definition;

import org.imagemanager.event.EventJson;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DefinitionLoaderTest {
    private static final String SHA256_A = "07e44a73e54c94d988028515403c1ed762055e01b83a767edf3c2b387f78ce00";

    private final DefinitionLoader loader = new DefinitionLoader();

    // ---- the seed's examples ------------------------------------------------------------------------------------

    @Test
    void shouldRefuseTheSeedsGettingStartedExampleAsTheReferenceDoesForItsMissingOsPurposeOnly() throws Exception {
        String seed;
        try (InputStream in = getClass().getResourceAsStream("/definitions/getting-started.yml")) {
            seed = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }

        DefinitionError error = onlyError(failing("getting-started.yml", seed));

        // the seed's example predates the reference's required meta key os_purpose; its schema refuses the file too
        assertEquals("images[0].meta.os_purpose", error.field());
        assertEquals(14, error.line(), "the line of 'meta:'");
        assertTrue(error.message().contains("missing required key"), error.message());
    }

    @Test
    void shouldLoadTheSeedsGettingStartedExample() throws Exception {
        List<LocatedDefinition> loaded = seedExampleWithOsPurpose();

        assertEquals(1, loaded.size());
        ImageDefinition cirros = loaded.get(0).definition();
        assertEquals("MyCirros", cirros.name());
        assertEquals("qcow2", cirros.format());
        assertEquals("cirros", cirros.login());
        assertEquals(1, cirros.minDisk());
        assertEquals(32, cirros.minRam());
        assertFalse(cirros.hasRotatingName());
        assertTrue(cirros.enabled());
        assertEquals("cirros", cirros.meta().get("os_distro"));
        assertEquals("minimal", cirros.meta().get("os_purpose"));
        assertEquals(List.of(), cirros.tags());
        assertEquals(2, cirros.versions().size());

        VersionDefinition first = cirros.versions().get(0);
        assertEquals("0.6.2", first.version());
        assertEquals("sha256:" + SHA256_A, first.checksum());
        assertEquals("2023-05-30", first.buildDate(), "an unquoted date is read as the day that was written");
        assertEquals("0.6.3", cirros.versions().get(1).version());
        assertEquals("2024-09-26", cirros.versions().get(1).buildDate());
    }

    @Test
    void shouldRecordWhereADefinitionWasReadFrom() throws Exception {
        LocatedDefinition cirros = seedExampleWithOsPurpose().get(0);

        assertEquals("getting-started.yml", cirros.source().file());
        assertEquals(3, cirros.source().line(), "the line of the '- name: MyCirros' entry");
        assertEquals("commit-1", cirros.source().commit());
    }

    @Test
    void shouldReadThePasswordButNeverWriteItIntoEventsOrToString() throws Exception {
        ImageDefinition cirros = seedExampleWithOsPurpose().get(0).definition();

        assertEquals("gocubsgo", cirros.password());
        String json = EventJson.encode(cirros);
        assertFalse(json.contains("gocubsgo"), json);
        assertFalse(json.contains("password"), json);
        assertFalse(cirros.toString().contains("gocubsgo"), cirros.toString());
    }

    @Test
    void shouldKeepAPasswordOutOfJsonEvenWhenItIsDecodedFromJson() {
        String json = "{\"name\":\"X\",\"password\":\"s3cret\",\"versions\":[]}";

        ImageDefinition decoded = EventJson.decode(json, ImageDefinition.class);

        assertFalse(EventJson.encode(decoded).contains("s3cret"));
    }

    @Test
    void shouldLoadQuotedNumericVersionsAsWritten() throws Exception {
        ImageDefinition ubuntu = loadResource("ubuntu-multi.yml").get(0).definition();

        assertEquals(List.of("20240416", "20240422"),
                ubuntu.versions().stream().map(VersionDefinition::version).toList());
        assertTrue(ubuntu.hasRotatingName());
        assertEquals("24.04", ubuntu.meta().get("os_version"));
    }

    @Test
    void shouldRefuseAnUnquotedDecimalVersionSayingHowToQuoteIt() {
        // YAML reads 1.10 as the number 1.1: the reference's str() refuses it, and so do we, saying how to fix it
        String yaml = minimalImage("X", "1.10").replace("version: '1.10'", "version: 1.10");

        DefinitionError error = onlyError(failing("v.yml", yaml));

        assertEquals("images[0].versions[0].version", error.field());
        assertTrue(error.message().contains("quote it ('1.10')"), error.message());
    }

    @Test
    void shouldAcceptNullValuesInMeta() throws Exception {
        String yaml = """
                images:
                  - name: X
                    format: raw
                    {required}
                    meta:
                      hw_disk_bus: null
                      architecture: x86_64
                      hypervisor_type: qemu
                      os_distro: debian
                      os_purpose: generic
                      provided_until: none
                      replace_frequency: never
                      uuid_validity: none
                    versions:
                      - version: '1'
                        url: https://example.org/x.img
                        build_date: 2024-01-01
                """;

        ImageDefinition image = load("null-meta.yml", yaml).get(0).definition();

        assertTrue(image.meta().containsKey("hw_disk_bus"));
        assertNull(image.meta().get("hw_disk_bus"));
    }

    @Test
    void shouldAcceptEveryAlgorithmWithItsDigestLength() throws Exception {
        for (var entry : Map.of("md5", 32, "sha1", 40, "sha256", 64, "sha512", 128).entrySet()) {
            String checksum = entry.getKey() + ":" + "a".repeat(entry.getValue());
            String yaml = minimalImage("X", "1") + "        checksum: \"" + checksum + "\"\n";

            assertEquals(checksum, load("x.yml", yaml).get(0).definition().versions().get(0).checksum());
        }
    }

    // ---- errors: file, line and field ---------------------------------------------------------------------------

    @Test
    void shouldReportABadChecksumFormatWithFileLineAndFieldPath() {
        String yaml = """
                images:
                  - name: Debian 12
                    format: qcow2
                    {required}
                    versions:
                      - version: '1'
                        url: https://example.org/1.img
                        build_date: 2024-01-01
                      - version: '2'
                        url: https://example.org/2.img
                        build_date: 2024-01-01
                        checksum: "sha256-%s"
                """.formatted(SHA256_A);

        DefinitionError error = onlyError(failing("debian.yml", yaml));

        assertEquals("debian.yml", error.file());
        assertEquals(12, error.line());
        assertEquals("images[0].versions[1].checksum", error.field());
        assertTrue(error.message().contains("sha256-"), error.message());
    }

    @Test
    void shouldRejectADigestWhoseLengthDoesNotMatchTheAlgorithm() {
        String yaml = """
                images:
                  - name: Debian 12
                    format: qcow2
                    {required}
                    versions:
                      - version: '1'
                        url: https://example.org/1.img
                        build_date: 2024-01-01
                        checksum: "sha256:%s"
                """.formatted(SHA256_A.substring(0, 40)); // a sha1-long digest labelled sha256

        DefinitionError error = onlyError(failing("debian.yml", yaml));

        assertEquals(9, error.line());
        assertEquals("images[0].versions[0].checksum", error.field());
        assertTrue(error.message().contains("64"), error.message());
    }

    @Test
    void shouldReportAMissingUrlAtItsVersion() {
        String yaml = """
                images:
                  - name: Debian 12
                    format: qcow2
                    {required}
                    versions:
                      - version: '1'
                        url: https://example.org/1.img
                        build_date: 2024-01-01
                      - version: '2'
                        build_date: 2024-01-01
                """;

        DefinitionError error = onlyError(failing("debian.yml", yaml));

        assertEquals("debian.yml", error.file());
        assertEquals(9, error.line());
        assertEquals("images[0].versions[1].url", error.field());
    }

    @Test
    void shouldReportAnUnknownKeyAtItsOwnLine() {
        String yaml = """
                images:
                  - name: Debian 12
                    format: qcow2
                    {required}
                    min_disc: 8
                    versions:
                      - version: '1'
                        url: https://example.org/1.img
                        build_date: 2024-01-01
                  - name: Debian 13
                    format: qcow2
                    {required}
                    versions:
                      - version: '1'
                        url: https://example.org/1.img
                        build_date: 2024-01-01
                """;

        DefinitionError error = onlyError(failing("debian.yml", yaml));

        assertEquals("debian.yml", error.file());
        assertEquals(5, error.line());
        assertEquals("images[0].min_disc", error.field());
        assertTrue(error.message().contains("min_disc"), error.message());
    }

    @Test
    void shouldReportAnUnknownKeyInsideAVersionWithItsPath() {
        String yaml = """
                images:
                  - name: Debian 12
                    format: qcow2
                    {required}
                    versions:
                      - version: '1'
                        url: https://example.org/1.img
                        build_date: 2024-01-01
                      - version: '2'
                        url: https://example.org/2.img
                        build_date: 2024-01-01
                        chekcsum: "sha256:abc"
                """;

        DefinitionError error = onlyError(failing("debian.yml", yaml));

        assertEquals(12, error.line());
        assertEquals("images[0].versions[1].chekcsum", error.field());
    }

    @Test
    void shouldReportAMissingImagesKey() {
        DefinitionException e = failing("typo.yml", "imagez:\n  - name: X\n");

        assertTrue(e.errors().stream().anyMatch(err -> "images".equals(err.field())
                && err.file().equals("typo.yml") && err.line() >= 1), e.getMessage());
    }

    @Test
    void shouldReportAnEmptyFileAsLackingImages() {
        DefinitionError error = onlyError(failing("empty.yml", ""));

        assertEquals("empty.yml", error.file());
        assertTrue(error.message().contains("images"), error.message());
    }

    @Test
    void shouldReportAYamlSyntaxErrorWithItsLine() {
        String yaml = """
                images:
                  - name: Debian 12
                    format: qcow2: raw
                """;

        DefinitionError error = onlyError(failing("broken.yml", yaml));

        assertEquals("broken.yml", error.file());
        assertEquals(3, error.line());
        assertTrue(error.column() > 0);
    }

    @Test
    void shouldReportAMissingNameAsAFieldError() {
        DefinitionError error = onlyError(failing("noname.yml", """
                images:
                  - format: qcow2
                    {required}
                    versions:
                      - version: '1'
                        url: https://example.org/1.img
                        build_date: 2024-01-01
                """));

        assertEquals("images[0].name", error.field());
        assertEquals(2, error.line());
    }

    @Test
    void shouldRejectAnImageWithoutVersions() {
        String yaml = """
                images:
                  - name: Debian 12
                    format: qcow2
                    {required}
                    versions: []
                """;

        assertEquals("images[0].versions", onlyError(failing("debian.yml", yaml)).field());
    }

    @Test
    void shouldRejectADuplicateKey() {
        DefinitionException e = failing("dup.yml", """
                images:
                  - name: Debian 12
                    format: qcow2
                    {required}
                    format: raw
                    versions:
                      - version: '1'
                        url: https://example.org/1.img
                        build_date: 2024-01-01
                """);

        assertTrue(onlyError(e).message().contains("format"), e.getMessage());
    }

    @Test
    void shouldReportErrorsOfSeveralImagesInOneFile() {
        String yaml = """
                images:
                  - name: A
                    format: qcow2
                    {required}
                    versions:
                      - version: '1'
                        build_date: 2024-01-01
                  - name: B
                    format: qcow2
                    {required}
                    versions:
                      - version: '1'
                        url: https://example.org/b.img
                        build_date: 2024-01-01
                        checksum: md5:xyz
                """;

        List<String> fields = failing("two.yml", yaml).errors().stream().map(DefinitionError::field).toList();

        assertEquals(List.of("images[0].versions[0].url", "images[1].versions[0].checksum"), fields);
    }

    @Test
    void shouldSayFileLineAndFieldInTheExceptionMessage() {
        DefinitionException e = failing("debian.yml", """
                images:
                  - name: Debian 12
                    format: qcow2
                    {required}
                    versions:
                      - version: '1'
                        url: https://example.org/1.img
                        build_date: 2024-01-01
                        checksum: crc32:abcd
                """);

        assertTrue(e.getMessage().startsWith("debian.yml:9:"), e.getMessage());
        assertTrue(e.getMessage().contains("images[0].versions[0].checksum: "), e.getMessage());
    }

    // ---- several files -----------------------------------------------------------------------------------------

    @Test
    void shouldReportTheErrorsOfAllFilesTogether() {
        Map<String, DefinitionLoader.StreamSupplier> files = new LinkedHashMap<>();
        files.put("a.yml", text("images:\n  - name: A\n    format: qcow2\n    min_disc: 1\n"));
        files.put("good.yml", text(minimalImage("Good", "1")));
        files.put("b.yml", text("images:\n  - name: B\n    format: qcow2\n    versions:\n      - version: '1'\n"));

        DefinitionException e = assertThrows(DefinitionException.class, () -> loader.loadAll(files, "c1"));

        assertEquals(List.of("a.yml", "b.yml"), e.errors().stream().map(DefinitionError::file).distinct().sorted().toList());
    }

    @Test
    void shouldLoadAllDefinitionsOfSeveralGoodFiles() throws Exception {
        Map<String, DefinitionLoader.StreamSupplier> files = new LinkedHashMap<>();
        files.put("a.yml", text(minimalImage("A", "1")));
        files.put("b.yml", text(minimalImage("B", "1")));

        List<LocatedDefinition> all = loader.loadAll(files, "c1");

        assertEquals(List.of("A", "B"), all.stream().map(d -> d.definition().name()).sorted().toList());
        assertTrue(all.stream().allMatch(d -> d.source().file().equals(d.definition().name().toLowerCase() + ".yml")));
    }

    @Test
    void shouldRejectTheSameImageNameInTwoFilesNamingBothFiles() {
        Map<String, DefinitionLoader.StreamSupplier> files = new LinkedHashMap<>();
        files.put("first.yml", text(minimalImage("Debian 12", "1")));
        files.put("second.yml", text(minimalImage("Debian 12", "2")));

        DefinitionException e = assertThrows(DefinitionException.class, () -> loader.loadAll(files, "c1"));

        DefinitionError error = onlyError(e);
        assertEquals("images[0].name", error.field());
        assertTrue(error.toString().contains("first.yml"), error.toString());
        assertTrue(error.toString().contains("second.yml"), error.toString());
    }

    @Test
    void shouldReportAFileThatCannotBeRead() {
        Map<String, DefinitionLoader.StreamSupplier> files = new LinkedHashMap<>();
        files.put("gone.yml", () -> {
            throw new IOException("no such file");
        });

        DefinitionException e = assertThrows(DefinitionException.class, () -> loader.loadAll(files, "c1"));

        assertEquals("gone.yml", onlyError(e).file());
    }

    // ---- hostile input ----------------------------------------------------------------------------------------

    @Test
    void shouldRejectABillionLaughsAliasBombWithoutExpandingIt() {
        String bomb = aliasBomb();

        DefinitionException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(DefinitionException.class, () -> load("bomb.yml", bomb)));

        assertEquals("bomb.yml", e.errors().get(0).file());
    }

    @Test
    void shouldNeverLoadAnAliasAsItsAnchorName() throws Exception {
        String yaml = """
                images:
                  - name: X
                    format: qcow2
                    {required}
                    meta:
                      os_version: &v '24.04'
                      os_release: *v
                    versions:
                      - version: '1'
                        url: https://example.org/1.img
                        build_date: 2024-01-01
                """;

        try {
            assertEquals("24.04", load("alias.yml", yaml).get(0).definition().meta().get("os_release"));
        } catch (DefinitionException rejected) {
            assertEquals("alias.yml", rejected.errors().get(0).file()); // refusing aliases altogether is fine too
        }
    }

    private static String aliasBomb() {
        StringBuilder yaml = new StringBuilder("""
                images:
                  - name: Bomb
                    format: qcow2
                    {required}
                    meta:
                      l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
                """);
        for (int level = 1; level <= 9; level++) {
            String previous = "*l" + (level - 1);
            yaml.append("      l").append(level).append(": &l").append(level).append(" [")
                    .append(String.join(", ", Collections.nCopies(10, previous))).append("]\n");
        }
        yaml.append("""
                    versions:
                      - version: '1'
                        url: https://example.org/1.img
                        build_date: 2024-01-01
                """);
        return yaml.toString();
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    /** The seed's getting-started example with the meta key the reference's schema requires since. */
    private List<LocatedDefinition> seedExampleWithOsPurpose() throws Exception {
        String seed;
        try (InputStream in = getClass().getResourceAsStream("/definitions/getting-started.yml")) {
            seed = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(seed.contains("      os_distro: cirros\n"));
        return load("getting-started.yml", seed.replace("      os_distro: cirros\n", "      os_distro: cirros\n      os_purpose: minimal\n"));
    }

    private List<LocatedDefinition> loadResource(String name) throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/definitions/" + name)) {
            return loader.load(name, in, "commit-1");
        }
    }

    private List<LocatedDefinition> load(String file, String yaml) throws DefinitionException {
        return loader.load(file, new ByteArrayInputStream(withRequired(yaml).getBytes(StandardCharsets.UTF_8)), "commit-1");
    }

    /**
     * The keys the reference's schema requires of every image, for tests about other keys: one merge-key line in
     * place of {@code {required}}, so that the lines of what a test is about stay where the test says. (An image
     * with its own {@code meta} replaces the merged one and must give the required meta keys itself.)
     */
    private static String withRequired(String yaml) {
        return yaml.replace("{required}", "<<: {enable: true, login: debian, min_disk: 1, min_ram: 64, status: active,"
                + " visibility: public, multi: false, tags: [], meta: {" + REQUIRED_META + "}}");
    }

    private static final String REQUIRED_META = "architecture: x86_64, hw_disk_bus: scsi, hypervisor_type: qemu,"
            + " os_distro: debian, os_purpose: generic, provided_until: none, replace_frequency: never, uuid_validity: none";

    private DefinitionException failing(String file, String yaml) {
        return assertThrows(DefinitionException.class, () -> load(file, yaml));
    }

    private static DefinitionError onlyError(DefinitionException e) {
        assertEquals(1, e.errors().size(), () -> "expected one error, got:\n" + e.getMessage());
        return e.errors().get(0);
    }

    private static String minimalImage(String name, String version) {
        return """
                images:
                  - name: %s
                    format: qcow2
                    {required}
                    versions:
                      - version: '%s'
                        url: https://example.org/%s.img
                        build_date: 2024-01-01
                """.formatted(name, version, version);
    }

    private static DefinitionLoader.StreamSupplier text(String yaml) {
        return () -> new ByteArrayInputStream(withRequired(yaml).getBytes(StandardCharsets.UTF_8));
    }
}
