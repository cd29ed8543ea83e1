package org.imagemanager.definitions.publish;

import org.imagemanager.definition.DefinitionLoader;
import org.imagemanager.definition.LocatedDefinition;
import org.imagemanager.event.DefinitionChanged;
import org.imagemanager.event.DefinitionEvent;
import org.imagemanager.event.EventJson;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DefinitionsDiffTest {
    private static final String DEBIAN = """
            images:
              - name: Debian 12
                enable: true
                format: qcow2
                login: debian
                password: secret-not-published
                min_disk: 8
                min_ram: 512
                status: active
                visibility: public
                multi: true
                meta:
                  architecture: x86_64
                  os_distro: debian
                  os_version: '12'
                  hw_rng_model: virtio
                  uuid_validity: last-3
                  hw_disk_bus: scsi
                  hypervisor_type: qemu
                  os_purpose: generic
                  provided_until: none
                  replace_frequency: never
                tags: [debian]
                versions:
                  - version: '20240101'
                    url: https://cloud.example.org/debian-12-20240101.qcow2
                    checksum: sha256:%s
                    build_date: 2024-01-01
            """;
    private static final String UBUNTU = """
            images:
              - name: Ubuntu 24.04
                enable: true
                min_disk: 1
                min_ram: 64
                tags: []
                format: qcow2
                login: ubuntu
                status: active
                visibility: public
                multi: false
                meta:
                  os_distro: ubuntu
                  min_cores: 2
                  architecture: x86_64
                  hw_disk_bus: scsi
                  hypervisor_type: qemu
                  os_purpose: generic
                  provided_until: none
                  replace_frequency: never
                  uuid_validity: none
                versions:
                  - version: '20240501'
                    build_date: 2026-11-01
                    url: https://cloud.example.org/noble.img
                    checksum: sha256:%s
            """;
    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);

    @Test
    void everythingIsAddedToAnEmptyTopic() {
        DefinitionChanges changes = DefinitionsDiff.between("ops", PublishedView.empty(),
                tree(Map.of("debian.yml", DEBIAN.formatted(A), "ubuntu.yml", UBUNTU.formatted(A))));
        assertEquals(List.of("Debian 12", "Ubuntu 24.04"), names(changes.changed()));
        assertTrue(changes.removed().isEmpty());
        assertTrue(changes.conflicts().isEmpty());
    }

    @Test
    void aDefinitionReadBackFromTheTopicEqualsItsSource() {
        // the round trip through JSON (no password, numbers, dates in meta) must not look like a change
        List<LocatedDefinition> tree = tree(Map.of("debian.yml", DEBIAN.formatted(A), "ubuntu.yml", UBUNTU.formatted(A)));
        DefinitionChanges changes = DefinitionsDiff.between("ops", publishedFromTopic("ops", tree), tree);
        assertTrue(changes.isEmpty(), changes.toString());
        assertEquals(List.of("Debian 12", "Ubuntu 24.04"), changes.unchanged().stream().sorted().toList());
    }

    @Test
    void onlyTheChangedDefinitionIsPublished() {
        PublishedView before = publishedFromTopic("ops", tree(Map.of("debian.yml", DEBIAN.formatted(A), "ubuntu.yml", UBUNTU.formatted(A))));
        DefinitionChanges changes = DefinitionsDiff.between("ops", before,
                tree(Map.of("debian.yml", DEBIAN.formatted(B), "ubuntu.yml", UBUNTU.formatted(A))));
        assertEquals(List.of("Debian 12"), names(changes.changed()));
        assertEquals(List.of("Ubuntu 24.04"), changes.unchanged());
    }

    @Test
    void aRemovedDefinitionIsRemovedWithItsLastKnownContent() {
        PublishedView before = publishedFromTopic("ops", tree(Map.of("debian.yml", DEBIAN.formatted(A), "ubuntu.yml", UBUNTU.formatted(A))));
        DefinitionChanges changes = DefinitionsDiff.between("ops", before, tree(Map.of("debian.yml", DEBIAN.formatted(A))));
        assertEquals(1, changes.removed().size());
        assertEquals("Ubuntu 24.04", changes.removed().getFirst().name());
        assertEquals("ubuntu.yml", changes.removed().getFirst().source().file());
        assertTrue(changes.changed().isEmpty());
    }

    @Test
    void aRenamedImageIsARemovalAndAnAddition() {
        PublishedView before = publishedFromTopic("ops", tree(Map.of("ubuntu.yml", UBUNTU.formatted(A))));
        DefinitionChanges changes = DefinitionsDiff.between("ops", before,
                tree(Map.of("ubuntu.yml", UBUNTU.formatted(A).replace("Ubuntu 24.04", "Ubuntu Noble"))));
        assertEquals(List.of("Ubuntu Noble"), names(changes.changed()));
        assertEquals("Ubuntu 24.04", changes.removed().getFirst().name());
    }

    @Test
    void aDefinitionMovedToAnotherFileIsPublishedWithItsNewFile() {
        PublishedView before = publishedFromTopic("ops", tree(Map.of("ubuntu.yml", UBUNTU.formatted(A))));
        DefinitionChanges changes = DefinitionsDiff.between("ops", before, tree(Map.of("linux/ubuntu.yaml", UBUNTU.formatted(A))));
        assertEquals(List.of("Ubuntu 24.04"), names(changes.changed()));
        assertEquals("linux/ubuntu.yaml", changes.changed().getFirst().source().file());
        assertTrue(changes.removed().isEmpty());
    }

    @Test
    void aDefinitionThatOnlyMovedDownItsFileIsUnchanged() {
        PublishedView before = publishedFromTopic("ops", tree(Map.of("all.yml", UBUNTU.formatted(A))));
        String withComment = UBUNTU.formatted(A).replace("images:\n", "images:\n  # the LTS\n");
        DefinitionChanges changes = DefinitionsDiff.between("ops", before, tree(Map.of("all.yml", withComment)));
        assertTrue(changes.isEmpty(), changes.toString());
    }

    @Test
    void anImageOfAnotherRepositoryIsAConflictAndNeverRemovedByThisOne() {
        PublishedView teamA = publishedFromTopic("team-a", tree(Map.of("ubuntu.yml", UBUNTU.formatted(A))));
        DefinitionChanges changes = DefinitionsDiff.between("team-b", teamA, tree(Map.of("mine.yml", UBUNTU.formatted(B))));
        assertEquals(1, changes.conflicts().size());
        assertEquals("mine.yml", changes.conflicts().getFirst().file());
        assertEquals("name", changes.conflicts().getFirst().field());
        assertTrue(changes.conflicts().getFirst().message().contains("team-a"), changes.conflicts().getFirst().message());

        DefinitionChanges empty = DefinitionsDiff.between("team-b", teamA, List.of());
        assertTrue(empty.removed().isEmpty(), "team-b must not remove team-a's images");
    }

    private static List<String> names(List<LocatedDefinition> definitions) {
        return definitions.stream().map(d -> d.definition().name()).sorted().toList();
    }

    private static List<LocatedDefinition> tree(Map<String, String> files) {
        Map<String, DefinitionLoader.StreamSupplier> streams = new java.util.TreeMap<>();
        files.forEach((file, text) -> streams.put(file, () -> new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8))));
        try {
            return new DefinitionLoader().loadAll(streams, "c0ffee");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** As {@link DefinitionsLog} sees it: each definition written as an event and read back. */
    private static PublishedView publishedFromTopic(String repository, List<LocatedDefinition> tree) {
        Map<String, PublishedDefinition> definitions = new HashMap<>();
        for (LocatedDefinition d : tree) {
            String json = EventJson.encode(new DefinitionChanged("e", Instant.EPOCH, d.definition(), d.source(), repository));
            DefinitionChanged back = (DefinitionChanged) EventJson.decode(json, DefinitionEvent.class);
            definitions.put(back.imageName(), new PublishedDefinition(back.definition(), back.source(), back.repository()));
        }
        return new PublishedView(definitions, Map.of());
    }
}
