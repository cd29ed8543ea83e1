package org.imagemanager.app;

import java.util.Map;
import java.util.stream.Collectors;

/** Definition files for the lifecycle tests, in the seed's schema. */
final class LifecycleDefinitions {
    private LifecycleDefinitions() {
    }

    static String family(String name, String visibility, boolean multi, String... versions) {
        return family(name, visibility, multi, Map.of(), "", versions);
    }

    /** @param extraKeys more keys of the image entry (e.g. "keep: true\n"), indented by this method */
    static String family(String name, String visibility, boolean multi, Map<String, String> extraMeta, String extraKeys,
                         String... versions) {
        String meta = extraMeta.entrySet().stream().map(e -> "      " + e.getKey() + ": '" + e.getValue() + "'\n")
                .collect(Collectors.joining());
        String keys = extraKeys.lines().map(line -> "    " + line + "\n").collect(Collectors.joining());
        return """
                images:
                  - name: %s
                    enable: true
                    format: qcow2
                    login: ubuntu
                    min_disk: 1
                    min_ram: 512
                    status: active
                    visibility: %s
                    multi: %s
                %s    meta:
                      architecture: x86_64
                      os_distro: ubuntu
                      os_version: '24.04'
                      os_purpose: generic
                      hw_disk_bus: scsi
                      hypervisor_type: qemu
                      provided_until: none
                      replace_frequency: never
                      uuid_validity: last-1
                %s    tags: []
                    versions:
                """.formatted(name, visibility, multi, keys, meta) + String.join("", versions);
    }

    static String version(String version, String url, String sha256) {
        return version(version, url, sha256, "");
    }

    /** @param extraKeys more keys of the version entry (e.g. "visibility: public\n") */
    static String version(String version, String url, String sha256, String extraKeys) {
        String keys = extraKeys.lines().map(line -> "        " + line + "\n").collect(Collectors.joining());
        return """
                      - version: '%s'
                        url: %s
                        checksum: "sha256:%s"
                        build_date: 2026-11-0%s
                """.formatted(version, url, sha256, version.substring(version.length() - 1)) + keys;
    }
}
