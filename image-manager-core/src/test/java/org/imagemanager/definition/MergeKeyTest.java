package org.imagemanager.definition;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** YAML merge keys work as in the reference tool (PyYAML): explicit keys win over merged ones. */
class MergeKeyTest {
    private static final String COMMON = """
            x-common: &common
              format: qcow2
              login: ubuntu
              min_disk: 8
              enable: true
              min_ram: 512
              status: active
              visibility: public
              multi: true
              tags: []
              meta:
                architecture: x86_64
                hw_disk_bus: scsi
                hypervisor_type: qemu
                os_distro: ubuntu
                os_purpose: generic
                provided_until: none
                replace_frequency: never
                uuid_validity: none
            images:
              - <<: *common
                name: Ubuntu 24.04
                min_disk: 10
                versions:
                  - version: '20240416'
                    url: https://example.org/noble.img
                    checksum: "sha256:%s"
                    build_date: 2024-04-16
            """.formatted("0".repeat(64));

    @Test
    void shouldTakeMergedKeysAndLetExplicitOnesWin() throws Exception {
        List<LocatedDefinition> loaded = load(COMMON);

        ImageDefinition image = loaded.getFirst().definition();
        assertEquals("qcow2", image.format());
        assertEquals("ubuntu", image.login());
        assertEquals(10, image.minDisk());
        assertEquals("ubuntu", image.meta().get("os_distro"));
    }

    @Test
    void shouldRefuseOtherTopLevelKeysThanImagesAndExtensions() {
        ValidationReport report = new DefinitionLoader().validate(
                Map.of("f.yml", () -> new ByteArrayInputStream(COMMON.replace("x-common", "common").getBytes(StandardCharsets.UTF_8))), null);

        assertTrue(report.errors().stream().anyMatch(e -> e.line() == 1 && e.field().equals("common")), report.errors()::toString);
    }

    private static List<LocatedDefinition> load(String yaml) throws DefinitionException {
        return new DefinitionLoader().load("f.yml", new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), null);
    }
}
