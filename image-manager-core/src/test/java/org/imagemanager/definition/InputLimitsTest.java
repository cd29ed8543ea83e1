package org.imagemanager.definition;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sizes and encodings are refused before parsing, with file and line, and without reading what need not be read. */
class InputLimitsTest {
    private static final String VALID = """
            images:
              - name: Tiny
                format: qcow2
                login: tiny
                enable: true
                min_disk: 1
                min_ram: 64
                status: active
                visibility: public
                multi: false
                tags: []
                meta:
                  architecture: x86_64
                  hw_disk_bus: scsi
                  hypervisor_type: qemu
                  os_distro: cirros
                  os_purpose: minimal
                  provided_until: none
                  replace_frequency: never
                  uuid_validity: none
                versions:
                  - version: '1'
                    url: https://cloud.example.org/tiny.qcow2
                    build_date: 2024-01-01
            """;

    @Test
    void aFileWhoseKnownSizeIsOverTheLimitIsRefusedWithoutBeingOpened() {
        long thirtyMiB = 30L << 20;
        DefinitionLoader.StreamSupplier neverOpened = DefinitionLoader.StreamSupplier.sized(thirtyMiB, () -> {
            throw new AssertionError("an oversized file must not be read");
        });

        ValidationReport report = new DefinitionLoader(DefinitionLimits.defaults()).validate(Map.of("huge.yml", neverOpened), null);

        assertFalse(report.valid());
        DefinitionError error = report.errors().getFirst();
        assertEquals("huge.yml", error.file());
        assertEquals(1, error.line());
        assertTrue(error.message().contains("30.0 MiB") && error.message().contains("4.0 MiB"), error.toString());
    }

    @Test
    void aStreamOfUnknownSizeIsReadOnlyUpToTheLimit() {
        AtomicLong served = new AtomicLong();
        DefinitionLoader.StreamSupplier endless = () -> new InputStream() {
            @Override
            public int read() {
                served.incrementAndGet();
                return 'x';
            }
        };

        ValidationReport report = new DefinitionLoader(new DefinitionLimits(64 * 1024, 1 << 20))
                .validate(Map.of("one-huge-string.yml", endless), null);

        assertFalse(report.valid());
        assertTrue(report.errors().getFirst().message().contains("larger than the limit"), report.errors().toString());
        assertTrue(served.get() <= 64 * 1024 + 1 + 8192, "read " + served.get() + " bytes");
    }

    @Test
    void aTreeOverTheTotalLimitIsRefusedNamingItsLargestFile() {
        Map<String, DefinitionLoader.StreamSupplier> files = new TreeMap<>();
        for (int i = 0; i < 5; i++) {
            long size = 300_000 + i;
            files.put("f" + i + ".yml", DefinitionLoader.StreamSupplier.sized(size, () -> {
                throw new AssertionError("not read");
            }));
        }

        ValidationReport report = new DefinitionLoader(new DefinitionLimits(1 << 20, 1 << 20)).validate(files, null);

        assertEquals(1, report.errors().size(), report.errors().toString());
        DefinitionError error = report.errors().getFirst();
        assertEquals("f4.yml", error.file());
        assertTrue(error.message().contains("5 files") && error.message().contains("max-total-size"), error.toString());
    }

    @Test
    void invalidUtf8IsAnErrorAtItsLineAndColumnNeverAReplacementCharacter() {
        byte[] bytes = VALID.replace("login: tiny", "login: t\u0000ny").getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                bytes[i] = (byte) 0xE9; // Latin-1 é: not UTF-8 on its own
            }
        }

        ValidationReport report = new DefinitionLoader().validate(Map.of("latin1.yml", () -> new ByteArrayInputStream(bytes)), null);

        assertFalse(report.valid());
        DefinitionError error = report.errors().getFirst();
        assertEquals("latin1.yml:4:13", error.file() + ":" + error.line() + ":" + error.column(), error.toString());
        assertTrue(error.message().contains("not valid UTF-8") && error.message().contains("\\xE9"), error.toString());
    }

    @Test
    void validUtf8WithAByteOrderMarkIsRead() throws DefinitionException {
        byte[] text = ("\uFEFF" + VALID.replace("login: tiny", "login: tïny")).getBytes(StandardCharsets.UTF_8);

        var definitions = new DefinitionLoader().loadAll(Map.of("bom.yml", () -> new ByteArrayInputStream(text)), null);

        assertEquals("tïny", definitions.getFirst().definition().login());
    }

    @Test
    void limitsAreReadFromTheConfigurationWithUnits() {
        DefinitionLimits limits = DefinitionLimits.configured(Map.of(DefinitionLimits.FILE_PROPERTY, "512KiB",
                DefinitionLimits.TOTAL_PROPERTY, "2 MiB")::get);

        assertEquals(512 * 1024, limits.maxFileBytes());
        assertEquals(2 << 20, limits.maxTotalBytes());
        assertEquals(DefinitionLimits.defaults(), DefinitionLimits.configured(key -> null));
        assertThrows(IllegalArgumentException.class,
                () -> DefinitionLimits.configured(Map.of(DefinitionLimits.FILE_PROPERTY, "lots")::get));
    }

}
