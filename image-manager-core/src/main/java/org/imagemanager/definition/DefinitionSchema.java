package org.imagemanager.definition;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The keys and values the reference tool's schema allows (its {@code etc/schema.yaml}), plus the keys the
 * reference reads without naming them in the schema ({@code checksum_url}). Meta keys not listed here are passed
 * through to Glance as they are.
 */
public final class DefinitionSchema {
    private DefinitionSchema() {
    }

    public static final List<String> IMAGE_KEYS = List.of("name", "enable", "format", "login", "password", "min_disk",
            "min_ram", "status", "visibility", "multi", "keep", "separator", "shortname", "latest_url",
            "latest_checksum_url", "tags", "meta", "versions");

    public static final List<String> VERSION_KEYS = List.of("version", "url", "mirror_url", "checksum", "checksum_url",
            "checksums_url", "build_date", "visibility", "hidden", "os_version", "meta", "image_description", "source", "id");

    public static final Set<String> FORMATS = Set.of("aki", "ari", "ami", "raw", "iso", "vhd", "vdi", "qcow2", "vmdk");
    public static final Set<String> STATUSES = Set.of("active", "deactivated");
    public static final Set<String> VISIBILITIES = Set.of("public", "private", "community", "shared");
    public static final Set<String> ARCHITECTURES = Set.of("x86_64", "aarch64", "risc-v");
    public static final Set<String> HYPERVISOR_TYPES = Set.of("hyperv", "ironic", "lxc", "qemu", "uml", "vmware", "xen");
    public static final Set<String> HW_DISK_BUSES = Set.of("virtio", "scsi");
    public static final Set<String> HW_RNG_MODELS = Set.of("virtio");
    public static final Set<String> HW_SCSI_MODELS = Set.of("virtio-scsi");
    public static final Set<String> HW_WATCHDOG_ACTIONS = Set.of("disabled", "reset", "poweroff", "pause", "none");
    public static final Set<String> HW_FIRMWARE_TYPES = Set.of("bios", "uefi");
    public static final Set<String> OS_DISTROS = Set.of("arch", "centos", "cirros", "clearlinux", "debian", "fedora",
            "freebsd", "opensuse", "rhel", "talos", "ubuntu", "windows",
            // in libosinfo and used by definitions in the field
            "almalinux", "rocky", "flatcar", "gardenlinux", "opnsense", "suse", "sles", "alpine", "gentoo", "netbsd",
            "openbsd", "coreos", "fedora-coreos");
    public static final Set<String> OS_PURPOSES = Set.of("generic", "minimal", "k8snode", "gpu", "network", "custom");
    public static final Set<String> REPLACE_FREQUENCIES = Set.of("yearly", "quarterly", "monthly", "weekly", "daily",
            "critical_bug", "never");

    /** {@code none | forever | notice | last-N | YYYY-MM-DD}. */
    public static final Pattern UUID_VALIDITY = Pattern.compile("none|forever|notice|last-[1-9][0-9]*|\\d{4}-\\d{2}-\\d{2}");
    /** {@code none | YYYY-MM-DD}. */
    public static final Pattern PROVIDED_UNTIL = Pattern.compile("none|\\d{4}-\\d{2}-\\d{2}");
    public static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    public static final Pattern CHECKSUM = Pattern.compile("(md5|sha1|sha256|sha512):([0-9a-fA-F]+)");
    public static final java.util.Map<String, Integer> DIGEST_HEX_LENGTH = java.util.Map.of(
            "md5", 32, "sha1", 40, "sha256", 64, "sha512", 128);
    public static final Set<String> URL_SCHEMES = Set.of("http", "https", "ftp", "ftps");

    /** The version value that stands for "whatever upstream publishes now". */
    public static final String LATEST = "latest";
}
