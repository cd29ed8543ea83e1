package org.imagemanager.definition;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Definitions in the shape of those the reference tool ships ({@code src/test/resources/realworld/}: AlmaLinux, CentOS,
 * Cirros, Debian, Fedora, Flatcar, Garden Linux, openSUSE, OPNsense, Rocky Linux, Talos, Ubuntu; fake URLs and
 * digests) must validate as they are. The expected values are read from the files' text, not through the loader.
 */
class RealWorldDefinitionsTest {
    private static final String FOLDER = "/realworld";

    /** The warnings these files are expected to produce (file and field); anything else is a regression. */
    private static final List<String> EXPECTED_WARNINGS = List.of(
            "opnsense.yml images[0].versions[0].checksum");  // OPNsense 23.7 has no digest at all

    private static Map<String, String> texts;
    private static ValidationReport report;

    @BeforeAll
    static void validateTheFolder() throws IOException, URISyntaxException {
        Path folder = Path.of(RealWorldDefinitionsTest.class.getResource(FOLDER).toURI());
        texts = new TreeMap<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".yml")).toList()) {
                texts.put(file.getFileName().toString(), Files.readString(file, StandardCharsets.UTF_8));
            }
        }
        Map<String, DefinitionLoader.StreamSupplier> suppliers = new TreeMap<>();
        texts.forEach((name, text) -> suppliers.put(name, () -> new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8))));
        report = new DefinitionLoader().validate(suppliers, "realworld");
    }

    @Test
    void shouldValidateWithoutErrors() {
        assertEquals("", report.errors().stream().map(DefinitionError::toString).collect(Collectors.joining("\n")));
        assertTrue(report.valid());
    }

    @Test
    void shouldReadAllTwelveFilesWithTheirThirtyImagesAndFortyFourVersions() {
        assertEquals(List.of("almalinux.yml", "centos.yml", "cirros.yml", "debian.yml", "fedora.yml", "flatcar.yml",
                "gardenlinux.yml", "opensuse.yml", "opnsense.yml", "rockylinux.yml", "talos.yml", "ubuntu.yml"),
                List.copyOf(texts.keySet()));
        assertEquals(List.of(
                "AlmaLinux 8", "AlmaLinux 9", "AlmaLinux 10",
                "CentOS 7", "CentOS Stream 9", "CentOS Stream 10",
                "Cirros",
                "Debian 10", "Debian 11", "Debian 12", "Debian 13",
                "Fedora 40", "Fedora 41", "Fedora 42",
                "Flatcar Container Linux",
                "Garden Linux",
                "openSUSE Leap 15.5", "openSUSE Leap 15.6",
                "OPNsense",
                "Rocky 8", "Rocky 9",
                "Talos Linux",
                "Ubuntu 20.04", "Ubuntu 20.04 Minimal", "Ubuntu 22.04", "Ubuntu 22.04 Minimal", "Ubuntu 24.04",
                "Ubuntu 24.04 Minimal", "Ubuntu 24.04 (arm64)", "Ubuntu 24.10"),
                report.definitions().stream().map(d -> d.definition().name()).toList());
        assertEquals(30, report.definitions().size());
        assertEquals(44, versions().size());
    }

    @Test
    void shouldWarnOnlyWhereExpected() {
        assertEquals(EXPECTED_WARNINGS, report.warnings().stream().map(w -> w.file() + " " + w.field()).sorted().toList(),
                () -> report.warnings().stream().map(DefinitionError::toString).collect(Collectors.joining("\n")));
    }

    @Test
    void shouldKeepEveryChecksumAsWritten() {
        List<String> written = scan("checksum");

        assertEquals(41, written.size());
        assertEquals(written, versions().stream().map(VersionDefinition::checksum).filter(Objects::nonNull).toList());
    }

    @Test
    void shouldReadEveryUrlTrimmedAlsoWhenItStandsOnTheNextLine() {
        List<String> urls = versions().stream().map(VersionDefinition::url).toList();
        List<String> mirrors = versions().stream().map(VersionDefinition::mirrorUrl).filter(Objects::nonNull).toList();

        assertEquals(scan("url"), urls);
        assertEquals(scan("mirror_url"), mirrors);
        assertEquals(scan("latest_url"), images().stream().map(ImageDefinition::latestUrl).filter(Objects::nonNull).toList());
        for (String url : concat(urls, mirrors)) {
            assertTrue(url.matches("https://\\S+"), () -> "'" + url + "'");
        }
        VersionDefinition noble = version("Ubuntu 24.04", "20241106");
        assertEquals("https://cloud-images.example.org/noble/20241106/noble-server-cloudimg-amd64.img", noble.url());
        assertEquals("https://mirror.example.net/swift/v1/AUTH_0f3c9a7e2b6d4c1a8e5f7b9d2c4a6e80/openstack-images"
                + "/ubuntu-24.04/20241106-ubuntu-24.04.qcow2", noble.mirrorUrl());
        assertEquals("https://cloud-images.example.org/noble/current/noble-server-cloudimg-amd64.img",
                image("Ubuntu 24.04").latestUrl());
        assertEquals("https://cloud-images.example.org/noble/current/SHA256SUMS", image("Ubuntu 24.04").latestChecksumUrl());
    }

    @Test
    void shouldNormaliseEveryBuildDateToADay() {
        List<String> written = scan("build_date");
        List<String> read = versions().stream().map(VersionDefinition::buildDate).filter(Objects::nonNull).toList();

        assertEquals(written.stream().map(d -> d.substring(0, 10)).toList(), read);
        assertTrue(read.stream().allMatch(d -> d.matches("\\d{4}-\\d{2}-\\d{2}")), read::toString);
        assertEquals("2023-05-24", version("AlmaLinux 8", "20230524").buildDate(), "quoted '2023-05-24'");
        assertEquals("2024-11-06", version("Ubuntu 24.04", "20241106").buildDate(), "unquoted 2024-11-06");
        assertEquals("2024-04-14", version("Fedora 40", "40-1.14").buildDate(), "2024-04-14 20:11:13");
        assertEquals("2024-10-24", version("Fedora 41", "41-1.4").buildDate(), "2024-10-24T04:33:50Z");
        assertEquals("2024-10-28", version("Talos Linux", "1.8.2").buildDate(), "quoted '2024-10-28'");
    }

    @Test
    void shouldReadDatedMultiFamiliesWithMirrorUrlAndRetentionMeta() {
        ImageDefinition ubuntu = image("Ubuntu 24.04");

        assertTrue(ubuntu.hasRotatingName());
        assertTrue(ubuntu.enabled());
        assertEquals("ubuntu-24.04", ubuntu.shortname());
        assertEquals(List.of("20241004", "20241106"), ubuntu.versions().stream().map(VersionDefinition::version).toList());
        assertEquals("last-3", ubuntu.meta().get("uuid_validity"));
        assertEquals("none", ubuntu.meta().get("provided_until"));
        assertEquals("24.04", ubuntu.meta().get("os_version"));
        assertEquals("aarch64", image("Ubuntu 24.04 (arm64)").meta().get("architecture"));
        assertFalse(image("Ubuntu 20.04").enabled());
        assertFalse(image("Debian 10").enabled());
    }

    @Test
    void shouldReadAVersionWhoseKeysComeInTheUpdatersOrderWithItsDigestOnTheNextLine() {
        VersionDefinition debian = version("Debian 12", "20240507");

        assertTrue(debian.checksum().matches("sha512:[0-9a-f]{128}"), debian.checksum());
        assertEquals("2024-05-07", debian.buildDate());
        assertTrue(debian.url().endsWith("/debian-12-genericcloud-amd64-daily-20240507-1714.qcow2"), debian.url());
    }

    @Test
    void shouldReadLatestVersionsWithTheirChecksumSource() {
        VersionDefinition trixie = version("Debian 13", "latest");
        VersionDefinition stream10 = version("CentOS Stream 10", "latest");

        assertEquals("https://cdimage.example.org/cdimage/cloud/trixie/latest/SHA512SUMS", trixie.checksumsUrl());
        assertNull(trixie.checksumUrl());
        assertNull(trixie.checksum());
        assertTrue(stream10.checksumUrl().endsWith(".SHA256SUM"), stream10.checksumUrl());
        assertNull(stream10.checksumsUrl());
    }

    @Test
    void shouldReadVersionLevelVisibilityHiddenMetaOsVersionSourceAndId() {
        VersionDefinition oldCirros = version("Cirros", "0.5.2");
        VersionDefinition centos7 = version("CentOS 7", "2211");
        VersionDefinition flatcar = version("Flatcar Container Linux", "3975.2.2");

        assertEquals("community", oldCirros.visibility());
        assertEquals(Boolean.TRUE, oldCirros.hidden());
        assertTrue(oldCirros.checksum().matches("md5:[0-9a-f]{32}"), oldCirros.checksum());
        assertEquals(Boolean.TRUE, centos7.hidden());
        assertEquals("3f6b2c1e-8a4d-4e7b-9c0f-5d2a1b6e8c47", version("Cirros", "0.6.2").id());
        assertEquals(Map.of("image_description", "Flatcar Container Linux stable 3975.2.2 (kernel 6.6)",
                "hw_firmware_type", "uefi"), flatcar.meta());
        assertEquals(Map.of(), version("Flatcar Container Linux", "3815.2.1").meta());
        assertEquals("k8snode", image("Flatcar Container Linux").meta().get("os_purpose"));
        assertFalse(image("Flatcar Container Linux").hasRotatingName());
        assertEquals("9.5", version("Rocky 9", "20241118").osVersion());
        assertEquals("https://github.example.org/siderolabs/talos/releases/download/v1.8.2/openstack-amd64.raw.xz",
                version("Talos Linux", "1.8.2").source());
    }

    @Test
    void shouldOmitMetaKeysTheFileDoesNotSet() {
        for (String name : List.of("Cirros", "Garden Linux", "Talos Linux")) {
            Map<String, Object> meta = image(name).meta();
            // optional keys of the schema that these files do not set
            assertFalse(meta.containsKey("hw_machine_type"), name);
            assertFalse(meta.containsKey("patchlevel"), name);
        }
        assertFalse(image("Cirros").meta().containsKey("hw_firmware_type"));
        assertTrue(image("Talos Linux").meta().containsKey("hw_disk_bus"));
        assertNull(image("Talos Linux").meta().get("hw_disk_bus"), "hw_disk_bus: null stays null");
        assertEquals("raw", image("Talos Linux").format());
        assertEquals(Boolean.TRUE, image("Garden Linux").keep());
        assertEquals("virtio", image("Garden Linux").meta().get("hw_disk_bus"));
        assertEquals("opnsense", image("OPNsense").password());
        assertEquals("network", image("OPNsense").meta().get("os_purpose"));
    }

    @Test
    void shouldRecordTheLineEveryImageStartsOn() {
        for (LocatedDefinition d : report.definitions()) {
            String[] lines = texts.get(d.source().file()).split("\n", -1);
            assertEquals("  - name: " + d.definition().name(), lines[d.source().line() - 1], d.definition().name());
            assertEquals("realworld", d.source().commit());
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private static List<ImageDefinition> images() {
        return report.definitions().stream().map(LocatedDefinition::definition).toList();
    }

    private static List<VersionDefinition> versions() {
        return images().stream().flatMap(i -> i.versions().stream()).toList();
    }

    private static ImageDefinition image(String name) {
        return images().stream().filter(i -> i.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no image " + name));
    }

    private static VersionDefinition version(String image, String version) {
        return image(image).versions().stream().filter(v -> v.version().equals(version)).findFirst()
                .orElseThrow(() -> new AssertionError("no version " + version + " of " + image));
    }

    /**
     * The values of {@code key} as written in the files (in file-name order, top to bottom), without YAML: the value
     * after the key, or, when the key ends its line, the next line; quotes removed.
     */
    private static List<String> scan(String key) {
        Pattern line = Pattern.compile("^\\s*(?:- )?" + Pattern.quote(key) + ":(.*)$");
        List<String> values = new ArrayList<>();
        for (String text : texts.values()) {
            String[] lines = text.split("\n");
            for (int i = 0; i < lines.length; i++) {
                Matcher m = line.matcher(lines[i]);
                if (m.matches()) {
                    String value = m.group(1).isBlank() ? lines[i + 1].strip() : m.group(1).strip();
                    values.add(value.replaceAll("^(['\"])(.*)\\1$", "$2"));
                }
            }
        }
        return values;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
