package org.imagemanager.app;

/** The definitions file of one small {@code multi: false} image with one version, as the end-to-end tests use it. */
final class TinyDefinition {
    private TinyDefinition() {
    }

    /** @param checksum {@code algo:hex} (deliberately any text: tests of invalid definitions pass a broken one) */
    static String yaml(String name, String visibility, String url, String checksum) {
        return """
                images:
                  - name: %s
                    enable: true
                    format: qcow2
                    login: tiny
                    min_disk: 1
                    min_ram: 64
                    status: active
                    visibility: %s
                    multi: false
                    meta:
                      architecture: x86_64
                      hw_disk_bus: scsi
                      hypervisor_type: qemu
                      os_distro: cirros
                      os_purpose: minimal
                      provided_until: none
                      replace_frequency: never
                      uuid_validity: none
                    tags: []
                    versions:
                      - version: '1.0'
                        url: %s
                        checksum: "%s"
                        build_date: 2026-11-01
                """.formatted(name, visibility, url, checksum);
    }
}
