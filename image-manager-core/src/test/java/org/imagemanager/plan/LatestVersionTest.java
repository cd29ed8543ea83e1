package org.imagemanager.plan;

import org.imagemanager.definition.ImageDefinition;
import org.imagemanager.event.Blocked;
import org.imagemanager.event.ImageAction;
import org.imagemanager.event.ImportImage;
import org.imagemanager.event.RenameImage;
import org.imagemanager.fixtures.FakeCloud;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.imagemanager.fixtures.RealDefinitions.DEBIAN;
import static org.imagemanager.fixtures.RealDefinitions.debianLatest;
import static org.imagemanager.fixtures.RealDefinitions.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code version: latest}: what upstream publishes now decides the build; a new upstream build rotates in. */
class LatestVersionTest {
    private static final Instant NOW = Instant.parse("2024-06-15T12:00:00Z");
    private static final PlanOptions OPTIONS = PlanOptions.defaults("prod", NOW);
    private static final String SHA_JUNE_10 = "sha512:" + hex("june-10", 128);
    private static final String SHA_JUNE_14 = "sha512:" + hex("june-14", 128);
    /** upstream_checksum holds the bare hex digest, as the reference tool writes it. */
    private static final String BARE_JUNE_10 = hex("june-10", 128);
    private static final String BARE_JUNE_14 = hex("june-14", 128);
    private static final Reconciler.Inputs JUNE_10 = upstream(SHA_JUNE_10, LocalDate.of(2024, 6, 10));
    private static final Reconciler.Inputs JUNE_14 = upstream(SHA_JUNE_14, LocalDate.of(2024, 6, 14));

    private final ImageDefinition debian = debianLatest("last-2");
    private final FakeCloud cloud = new FakeCloud(NOW);

    private static Reconciler.Inputs upstream(String checksum, LocalDate lastModified) {
        return new Reconciler.Inputs(Map.of(DEBIAN, new Upstream(checksum, lastModified)), Set.of());
    }

    private Plan plan(Reconciler.Inputs inputs) {
        return cloud.plan(List.of(debian), OPTIONS, inputs);
    }

    /** The cloud converged on June 10's build, whose upstream_checksum is then set to {@code stored}; its id. */
    private String convergedStoring(String stored) {
        cloud.converge(List.of(debian), OPTIONS, JUNE_10);
        String id = cloud.named(DEBIAN).orElseThrow().id();
        cloud.replace(id, i -> FakeCloud.withProperty(i, "upstream_checksum", stored));
        return id;
    }

    private static List<String> described(Plan plan) {
        return plan.actions().stream().map(ImageAction::describe).toList();
    }

    @Test
    void latestIsImportedUnderTheUpstreamDayWithTheUpstreamChecksum() {
        Plan plan = plan(JUNE_10);

        assertEquals(1, plan.actions().size(), () -> described(plan).toString());
        ImportImage i = assertInstanceOf(ImportImage.class, plan.actions().getFirst());
        assertEquals("Debian 12 (20240610)", i.imageName());
        assertEquals("latest", i.version());
        assertEquals(SHA_JUNE_10, i.checksum(), "the importer verifies with algo:hex");
        assertNull(i.checksumsUrl(), "the digest is already resolved: the importer verifies against it");
        assertEquals("20240610", i.properties().get("internal_version"));
        assertEquals(BARE_JUNE_10, i.properties().get("upstream_checksum"));
        assertTrue(i.properties().get(ImageProperties.MANAGED_KEYS).contains("upstream_checksum"));
        assertEquals("https://cloud.debian.org/images/cloud/bookworm/latest/debian-12-genericcloud-amd64.qcow2",
                i.properties().get("image_source"));
    }

    @Test
    void theOnlyLatestBuildTakesThePlainNameOnceItIsActive() {
        cloud.converge(List.of(debian), OPTIONS, JUNE_10);

        assertEquals(List.of(DEBIAN), cloud.sortedNames());
        assertEquals("20240610", cloud.named(DEBIAN).orElseThrow().property("internal_version"));
    }

    @Test
    void anUnchangedUpstreamChecksumLeavesNothingToDo() {
        cloud.converge(List.of(debian), OPTIONS, JUNE_10);
        cloud.advance(Duration.ofDays(1));

        Plan plan = plan(JUNE_10);

        assertTrue(plan.inLine(), () -> described(plan).toString());
        assertEquals(1, plan.family(DEBIAN).orElseThrow().unchanged());
    }

    @Test
    void aStoredBareDigestAsTheReferenceWritesItIsTheSameBuildAndLeavesNothingToDo() {
        String id = convergedStoring(BARE_JUNE_10);
        Plan bare = plan(JUNE_10);
        assertTrue(bare.inLine(), () -> described(bare).toString());
        assertEquals(1, bare.family(DEBIAN).orElseThrow().unchanged());

        cloud.replace(id, i -> FakeCloud.withProperty(i, "upstream_checksum", BARE_JUNE_10.toUpperCase(java.util.Locale.ROOT)));
        Plan upperCase = plan(JUNE_10);
        assertTrue(upperCase.actions().stream().noneMatch(ImportImage.class::isInstance), () -> described(upperCase).toString());
    }

    @Test
    void aStoredAlgoPrefixedDigestOfOurOlderReleasesIsNotImportedAgainButRewrittenToTheBareForm() {
        String id = convergedStoring(SHA_JUNE_10);

        Plan plan = plan(JUNE_10);

        assertEquals(1, plan.actions().size(), () -> described(plan).toString());
        org.imagemanager.event.UpdateProperties update =
                assertInstanceOf(org.imagemanager.event.UpdateProperties.class, plan.actions().getFirst());
        assertEquals(id, update.imageId());
        assertEquals(Map.of("upstream_checksum", BARE_JUNE_10), update.set());
        cloud.apply(plan);
        assertEquals(BARE_JUNE_10, cloud.byId(id).property("upstream_checksum"));
        assertTrue(plan(JUNE_10).inLine());
    }

    @Test
    void aStoredDigestOfAnotherUpstreamBuildInEitherFormLeadsToAnImport() {
        cloud.converge(List.of(debian), OPTIONS, JUNE_10);
        String id = cloud.named(DEBIAN).orElseThrow().id();
        // upstream now serves June 14: the image holds June 10 bare or as algo:hex, or June 14's hex under another algorithm
        for (String stored : List.of(BARE_JUNE_10, SHA_JUNE_10, "sha256:" + BARE_JUNE_14)) {
            cloud.replace(id, i -> FakeCloud.withProperty(i, "upstream_checksum", stored));

            Plan plan = plan(JUNE_14);

            ImportImage i = (ImportImage) plan.actions().stream().filter(ImportImage.class::isInstance).findFirst()
                    .orElseThrow(() -> new AssertionError(stored + ": " + described(plan)));
            assertEquals(SHA_JUNE_14, i.checksum());
            assertEquals(BARE_JUNE_14, i.properties().get("upstream_checksum"));
        }
    }

    @Test
    void withoutUpstreamAStoredAlgoPrefixedDigestIsKeptAsItIs() {
        convergedStoring(SHA_JUNE_10);

        Plan plan = plan(Reconciler.Inputs.NONE);

        assertEquals(List.of(), plan.executable(), () -> described(plan).toString());
    }

    @Test
    void aChangedUpstreamChecksumImportsTheNewBuildAndThenRotatesTheOldOneToItsDay() {
        cloud.converge(List.of(debian), OPTIONS, JUNE_10);
        String oldId = cloud.named(DEBIAN).orElseThrow().id();

        Plan importNew = plan(JUNE_14);
        assertEquals(List.of("import 'Debian 12 (20240614)' from "
                + "https://cloud.debian.org/images/cloud/bookworm/latest/debian-12-genericcloud-amd64.qcow2"),
                described(importNew), "the old build keeps the plain name and is left alone meanwhile");
        assertEquals(SHA_JUNE_14, ((ImportImage) importNew.actions().getFirst()).checksum());

        cloud.apply(importNew, "importing");
        assertEquals(List.of(), plan(JUNE_14).actions(), "nothing moves while the new build is importing");

        cloud.finishImports();
        Plan rotation = plan(JUNE_14);
        List<String> renames = rotation.actions().stream().filter(RenameImage.class::isInstance)
                .map(ImageAction::describe).toList();
        assertEquals(List.of("rename 'Debian 12' -> 'Debian 12 (20240610)'",
                "rename 'Debian 12 (20240614)' -> 'Debian 12'"), renames);
        assertEquals(oldId, rotation.actions().stream().filter(RenameImage.class::isInstance).map(RenameImage.class::cast)
                .findFirst().orElseThrow().imageId());

        cloud.apply(rotation);
        assertEquals(List.of(DEBIAN, "Debian 12 (20240610)"), cloud.sortedNames());
        assertEquals(BARE_JUNE_14, cloud.named(DEBIAN).orElseThrow().property("upstream_checksum"));
        assertTrue(plan(JUNE_14).inLine(), "last-2 keeps the previous build");
    }

    @Test
    void aSameDayUpstreamRebuildRotatesWithoutTwoImagesEverSharingAName() {
        cloud.converge(List.of(debian), OPTIONS, JUNE_10);
        String oldId = cloud.named(DEBIAN).orElseThrow().id();
        Reconciler.Inputs rebuilt = upstream(SHA_JUNE_14, LocalDate.of(2024, 6, 10)); // new checksum, same day

        cloud.apply(plan(rebuilt)); // the rebuild is imported as 'Debian 12 (20240610)'
        cloud.apply(plan(rebuilt)); // the rotation, one action at a time (FakeCloud refuses a rename onto a taken name)

        assertEquals(BARE_JUNE_14, cloud.named(DEBIAN).orElseThrow().property("upstream_checksum"));
        assertTrue(cloud.images().stream().anyMatch(i -> i.id().equals(oldId)));
    }

    @Test
    void anOldBuildWithoutInternalVersionIsSuffixedWithItsCreationDay() {
        // made by the reference tool: its tag, no family property, no internal_version
        Map<String, String> p = Map.of("image_description", DEBIAN, "upstream_checksum", BARE_JUNE_10, "os_distro", "debian");
        cloud.add(new ObservedImage("ref-1", DEBIAN, "active", "public", "qcow2", p, List.of("managed_by_osism", "os:debian"),
                Instant.parse("2024-05-02T08:00:00Z"), null, 2L << 30, 2, 512, false));
        PlanOptions osism = OPTIONS.toBuilder().managementTag("managed_by_osism").build();
        cloud.apply(cloud.plan(List.of(debian), osism, JUNE_14)); // the new build is imported

        Plan rotation = cloud.plan(List.of(debian), osism, JUNE_14);

        assertEquals(List.of("rename 'Debian 12' -> 'Debian 12 (20240502)'", "rename 'Debian 12 (20240614)' -> 'Debian 12'"),
                rotation.actions().stream().filter(RenameImage.class::isInstance).map(ImageAction::describe).toList());
    }

    @Test
    void theOldLatestBuildIsRetiredByUuidValidityOnceReplaced() {
        ImageDefinition lastOne = debianLatest("last-1");
        cloud.converge(List.of(lastOne), OPTIONS, JUNE_10);
        String oldId = cloud.named(DEBIAN).orElseThrow().id();
        PlanOptions delete = PlanOptions.builder("prod", NOW).delete(true, true).build();

        cloud.converge(List.of(lastOne), delete, JUNE_14);

        assertEquals(List.of(DEBIAN), cloud.sortedNames());
        assertTrue(cloud.images().stream().noneMatch(i -> i.id().equals(oldId)));
    }

    @Test
    void withoutUpstreamOnAnEmptyCloudNothingIsImportedAndTheRoundIsBlocked() {
        Plan plan = plan(Reconciler.Inputs.NONE);

        assertEquals(List.of(), plan.executable());
        Blocked blocked = assertInstanceOf(Blocked.class, plan.actions().getFirst());
        assertTrue(blocked.reason().contains("latest"), blocked.reason());
    }

    @Test
    void withoutUpstreamTheExistingBuildIsLeftAloneAndTheRoundIsBlocked() {
        cloud.converge(List.of(debian), OPTIONS, JUNE_10);

        Plan plan = plan(Reconciler.Inputs.NONE);

        assertEquals(List.of(), plan.executable(), () -> described(plan).toString());
        assertEquals(1, plan.actions().size());
        assertInstanceOf(Blocked.class, plan.actions().getFirst());
    }

    @Test
    void aRoundWithoutUpstreamDoesNotMakeTheNextRoundImportTheUnchangedBuildAgain() {
        cloud.converge(List.of(debian), OPTIONS, JUNE_10);
        cloud.apply(plan(Reconciler.Inputs.NONE)); // e.g. the SUMS file was unreachable in this round

        Plan plan = plan(JUNE_10);

        assertTrue(plan.inLine(), () -> described(plan).toString());
    }

    @Test
    void withoutUpstreamTheExistingBuildKeepsThePlainNameAndIsNeitherRenamedNorRetired() {
        cloud.converge(List.of(debian), OPTIONS, JUNE_10);
        String id = cloud.named(DEBIAN).orElseThrow().id();

        Plan plan = cloud.plan(List.of(debian), PlanOptions.builder("prod", NOW).delete(true, true).build(),
                Reconciler.Inputs.NONE);

        assertTrue(plan.actions().stream().noneMatch(a -> a instanceof RenameImage || a instanceof ImportImage
                || a instanceof org.imagemanager.event.DeleteImage || a instanceof org.imagemanager.event.Deactivate),
                () -> described(plan).toString());
        assertEquals(id, cloud.named(DEBIAN).orElseThrow().id());
    }

    @Test
    void withoutUpstreamAKilledNewerImportDoesNotLeadToAnImportOfAnUnknownBuild() {
        cloud.converge(List.of(debian), OPTIONS, JUNE_10);
        cloud.apply(plan(JUNE_14), "killed"); // the June 14 import died

        Plan plan = plan(Reconciler.Inputs.NONE);

        assertTrue(plan.actions().stream().noneMatch(ImportImage.class::isInstance), () -> described(plan).toString());
    }

    @Test
    void theAgeOfALatestVersionIsTheUpstreamDay() {
        PlanOptions withMaxAge = OPTIONS.toBuilder().maxAge(Duration.ofDays(3)).build();

        Plan plan = cloud.plan(List.of(debian), withMaxAge, JUNE_10);

        assertEquals(List.of(new AgeReport.Finding(DEBIAN, LocalDate.of(2024, 6, 10), 5, 3)), plan.ageReport());
        assertEquals(List.of(), cloud.plan(List.of(debian), withMaxAge, JUNE_14).ageReport());
    }
}
