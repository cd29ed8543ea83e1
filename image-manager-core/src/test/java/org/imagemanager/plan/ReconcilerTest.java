package org.imagemanager.plan;

import org.imagemanager.definition.ImageDefinition;
import org.imagemanager.definition.VersionDefinition;
import org.imagemanager.event.Blocked;
import org.imagemanager.event.ExistingImageAction;
import org.imagemanager.event.ImageAction;
import org.imagemanager.event.ImportImage;
import org.imagemanager.event.RenameImage;
import org.imagemanager.event.SetVisibility;
import org.imagemanager.fixtures.DefinitionBuilder;
import org.imagemanager.fixtures.ObservedImageBuilder;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import static org.imagemanager.fixtures.DefinitionBuilder.image;
import static org.imagemanager.fixtures.ObservedImageBuilder.observed;
import static org.imagemanager.fixtures.VersionBuilder.version;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The planner as a pure function: (definitions, observed images, options) → plan. */
class ReconcilerTest {
    private static final String CLOUD = "prod";
    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");
    private static final PlanOptions OPTIONS = PlanOptions.defaults(CLOUD, NOW);
    private static final String SHA_A = "sha256:" + "a".repeat(64);
    private static final String SHA_B = "sha256:" + "b".repeat(64);

    // ---- fixtures -------------------------------------------------------------------------------------------------

    private static DefinitionBuilder cirros() {
        return image("MyCirros").multi(false).login("cirros").minDisk(1).minRam(32)
                .meta("os_distro", "cirros").meta("hw_rng_model", "virtio")
                .version(version("0.6.2").checksum(SHA_A).buildDate("2023-05-30")
                        .url("https://github.com/cirros-dev/cirros/releases/download/0.6.2/cirros-0.6.2-x86_64-disk.img"))
                .version(version("0.6.3").checksum(SHA_B).buildDate("2024-09-26")
                        .url("https://github.com/cirros-dev/cirros/releases/download/0.6.3/cirros-0.6.3-x86_64-disk.img"));
    }

    private static DefinitionBuilder ubuntu() {
        return image("Ubuntu 24.04").multi(true).login("ubuntu")
                .meta("os_distro", "ubuntu").meta("os_version", "24.04")
                .versions("20240416", "20240422");
    }

    private static Plan plan(ImageDefinition definition, List<ObservedImage> observed) {
        return Reconciler.plan(List.of(definition), observed, OPTIONS);
    }

    private static FamilyPlan familyPlan(ImageDefinition definition, List<ObservedImage> observed) {
        return plan(definition, observed).family(definition.name()).orElseThrow();
    }

    private static List<ImportImage> imports(Plan plan) {
        return plan.actions().stream().filter(ImportImage.class::isInstance).map(ImportImage.class::cast).toList();
    }

    private static ImportImage onlyImport(ImageDefinition definition) {
        List<ImageAction> actions = plan(definition, List.of()).executable();
        assertEquals(1, actions.size(), () -> "actions: " + actions);
        return assertInstanceOf(ImportImage.class, actions.get(0));
    }

    private static List<String> described(Plan plan) {
        return plan.actions().stream().map(ImageAction::describe).toList();
    }

    /** The import the planner makes for one version when the cloud is empty. */
    private static ImportImage importOf(ImageDefinition definition, String version) {
        return imports(plan(definition, List.of())).stream().filter(i -> i.version().equals(version)).findFirst()
                .orElseThrow();
    }

    /** An image of one version that is in line with the definition in everything but (perhaps) its name. */
    private static ObservedImageBuilder inLine(ImageDefinition definition, String version, String id, String name) {
        VersionDefinition v = definition.versions().stream().filter(x -> x.version().equals(version)).findFirst()
                .orElseThrow();
        return ObservedImageBuilder.importedBy(importOf(definition, version), id, name)
                .visibility(v.visibility() != null ? v.visibility() : definition.effectiveVisibility());
    }

    // ---- tests ----------------------------------------------------------------------------------------------------

    @Nested
    class EmptyCloud {
        @Test
        void shouldImportEveryVersionUnderItsNameWhenNotMulti() {
            FamilyPlan plan = familyPlan(cirros().build(), List.of());

            assertEquals(CLOUD, plan.cloud());
            assertEquals("MyCirros", plan.family());
            assertEquals(List.of("MyCirros 0.6.2", "MyCirros 0.6.3"),
                    plan.actions().stream().map(a -> ((ImportImage) a).imageName()).toList());
            assertEquals(List.of(), plan.inProgress());
            assertEquals(0, plan.unchanged());
        }

        @Test
        void shouldCarryUrlChecksumFormatAndMinimaInTheImport() {
            ImportImage first = importOf(cirros().build(), "0.6.2");

            assertEquals(CLOUD, first.cloud());
            assertEquals("MyCirros", first.family());
            assertEquals("https://github.com/cirros-dev/cirros/releases/download/0.6.2/cirros-0.6.2-x86_64-disk.img",
                    first.url());
            assertEquals(SHA_A, first.checksum());
            assertEquals("qcow2", first.diskFormat());
            assertEquals(1, first.minDisk());
            assertEquals(32, first.minRam());
        }

        @Test
        void shouldDefaultMinDiskAndMinRamToZero() {
            ImportImage i = onlyImport(image("X").versions("1").build());

            assertEquals(0, i.minDisk());
            assertEquals(0, i.minRam());
        }

        @Test
        void shouldImportEveryVersionUnderItsSuffixedNameWhenMulti() {
            Plan plan = plan(ubuntu().build(), List.of());

            assertEquals(List.of("Ubuntu 24.04 (20240416)", "Ubuntu 24.04 (20240422)"),
                    imports(plan).stream().map(ImportImage::imageName).toList());
        }

        @Test
        void shouldDownloadFromTheMirrorButRecordTheUpstreamUrl() {
            ImageDefinition d = image("X").version(version("1").url("https://upstream.example.org/x.img")
                    .mirrorUrl("https://mirror.example.org/x.img")).build();

            ImportImage i = onlyImport(d);

            assertEquals("https://mirror.example.org/x.img", i.mirrorUrl());
            assertEquals("https://upstream.example.org/x.img", i.properties().get("image_source"));
        }
    }

    @Nested
    class Properties {
        @Test
        void shouldSetTheScsStandardProperties() {
            ImportImage i = importOf(cirros().build(), "0.6.2");
            Map<String, String> p = i.properties();

            assertEquals(i.url(), p.get("image_source"));
            assertEquals("2023-05-30", p.get("image_build_date"));
            assertEquals("cirros", p.get("image_original_user"));
            assertEquals("MyCirros", p.get("image_description"));
            assertEquals("MyCirros", p.get("image_name"));
            assertEquals("0.6.2", p.get("internal_version"));
        }

        @Test
        void shouldSetTheBookkeepingProperties() {
            ImportImage i = importOf(cirros().build(), "0.6.2");

            assertEquals("MyCirros", i.properties().get(ImageProperties.FAMILY));
            assertEquals(i.actionId(), i.properties().get(ImageProperties.IMPORT_ID));
        }

        @Test
        void shouldPassMetaAsStrings() {
            ImageDefinition d = image("X").meta("hw_rng_model", "virtio").meta("hw_vif_multiqueue_enabled", true)
                    .meta("patchlevel", 3).meta("hw_disk_bus", null).versions("1").build();

            Map<String, String> p = onlyImport(d).properties();

            assertEquals("virtio", p.get("hw_rng_model"));
            assertEquals("true", p.get("hw_vif_multiqueue_enabled"));
            assertEquals("3", p.get("patchlevel"));
            assertFalse(p.containsKey("hw_disk_bus"), "a null meta value sets no property");
        }

        @Test
        void shouldLetVersionMetaOverrideImageMeta() {
            ImageDefinition d = image("X").meta("hw_disk_bus", "scsi").meta("architecture", "x86_64")
                    .version(version("1").meta("hw_disk_bus", "virtio")).build();

            Map<String, String> p = onlyImport(d).properties();

            assertEquals("virtio", p.get("hw_disk_bus"));
            assertEquals("x86_64", p.get("architecture"));
        }

        @Test
        void shouldTakeTheImageDescriptionFromMetaBeforeTheName() {
            ImageDefinition d = image("X").meta("image_description", "A tiny test image").versions("1").build();

            assertEquals("A tiny test image", onlyImport(d).properties().get("image_description"));
        }

        @Test
        void shouldTakeTheImageDescriptionOfTheVersionBeforeTheName() {
            ImageDefinition d = image("X").version(version("1").imageDescription("Build 1")).build();

            assertEquals("Build 1", onlyImport(d).properties().get("image_description"));
        }

        @Test
        void shouldSetOsVersionToTheVersionWhenNotMulti() {
            ImageDefinition d = image("RancherOS").versions("1.4.1").build();

            assertEquals("1.4.1", onlyImport(d).properties().get("os_version"));
        }

        @Test
        void shouldSetOsVersionFromTheVersionsOsVersionWhenMulti() {
            ImageDefinition d = image("Ubuntu 24.04").multi(true).meta("os_version", "24.04")
                    .version(version("20240416").osVersion("24.04.1")).build();

            assertEquals("24.04.1", onlyImport(d).properties().get("os_version"));
        }

        @Test
        void shouldSetOsVersionFromMetaWhenMultiAndTheVersionHasNone() {
            ImageDefinition d = image("Ubuntu 24.04").multi(true).meta("os_version", "24.04").versions("20240416").build();

            assertEquals("24.04", onlyImport(d).properties().get("os_version"));
        }

        @Test
        void shouldLetVersionMetaOsVersionOverrideImageMetaOsVersionWhenMulti() {
            ImageDefinition d = image("Ubuntu 24.04").multi(true).meta("os_version", "24.04")
                    .version(version("20240822").meta("os_version", "24.04.1")).build();

            assertEquals("24.04.1", onlyImport(d).properties().get("os_version"));
        }

        @Test
        void shouldSetNoOsVersionWhenMultiAndNoneIsDefined() {
            ImageDefinition d = image("Ubuntu").multi(true).versions("20240416").build();

            assertFalse(onlyImport(d).properties().containsKey("os_version"));
        }

        @Test
        void shouldCutAFileUrlToItsFileNameInImageSource() {
            ImageDefinition d = image("X").version(version("1").url("file:///srv/images/cirros-0.6.2.img")).build();

            ImportImage i = onlyImport(d);

            assertEquals("cirros-0.6.2.img", i.properties().get("image_source"));
            assertEquals("file:///srv/images/cirros-0.6.2.img", i.url());
        }

        @Test
        void shouldNotLetMetaOverrideTheBookkeepingProperties() {
            ImageDefinition d = image("X").meta(ImageProperties.FAMILY, "Y").meta("internal_version", "9")
                    .versions("1").build();

            Map<String, String> p = onlyImport(d).properties();

            assertEquals("X", p.get(ImageProperties.FAMILY));
            assertEquals("1", p.get("internal_version"));
        }
    }

    @Nested
    class Tags {
        @Test
        void shouldTagWithManagementTagThenOsDistroThenDefinedTags() {
            ImageDefinition d = cirros().tag("scs").tag("os:cirros").tag("scs").build();

            ImportImage i = importOf(d, "0.6.2");

            assertEquals(List.of(PlanOptions.DEFAULT_MANAGEMENT_TAG, "os:cirros", "scs"), i.tags());
        }

        @Test
        void shouldUseTheConfiguredManagementTag() {
            PlanOptions options = PlanOptions.builder(CLOUD, NOW).managementTag("managed_by_osism").build();

            Plan plan = Reconciler.plan(List.of(image("X").versions("1").build()), List.of(), options);

            assertEquals(List.of("managed_by_osism"), imports(plan).get(0).tags());
        }

        @Test
        void shouldNotAddAnOsTagWithoutOsDistro() {
            assertEquals(List.of(PlanOptions.DEFAULT_MANAGEMENT_TAG), onlyImport(image("X").versions("1").build()).tags());
        }
    }

    @Nested
    class ActionIdentity {
        @Test
        void shouldGiveTheSameIdsForTheSameInput() {
            ImageDefinition d = ubuntu().versions("20240501").build();
            List<ObservedImage> cloud = List.of(inLine(d, "20240416", "id-16", "Ubuntu 24.04").build(),
                    inLine(d, "20240422", "id-22", "Ubuntu 24.04 (20240422)").build());

            Plan first = plan(d, cloud);
            Plan second = plan(ubuntu().versions("20240501").build(), cloud);

            assertEquals(first.actions(), second.actions());
            assertFalse(first.actions().isEmpty());
        }

        @Test
        void shouldGiveEveryActionOfAPlanItsOwnId() {
            Plan plan = plan(cirros().build(), List.of());

            assertEquals(plan.actions().size(),
                    new HashSet<>(plan.actions().stream().map(ImageAction::actionId).toList()).size());
        }

        @Test
        void shouldGiveAnotherImportIdWhenTheChecksumChanges() {
            ImportImage a = onlyImport(image("X").version(version("1").checksum(SHA_A)).build());
            ImportImage b = onlyImport(image("X").version(version("1").checksum(SHA_B)).build());

            assertNotEquals(a.actionId(), b.actionId());
        }

        @Test
        void shouldGiveAnotherImportIdInAnotherCloud() {
            List<ImageDefinition> d = List.of(image("X").versions("1").build());

            String prod = imports(Reconciler.plan(d, List.of(), PlanOptions.defaults("prod", NOW))).get(0).actionId();
            String test = imports(Reconciler.plan(d, List.of(), PlanOptions.defaults("test", NOW))).get(0).actionId();

            assertNotEquals(prod, test);
        }

        @Test
        void shouldNotDependOnThePlanningTime() {
            List<ImageDefinition> d = List.of(image("X").versions("1").build());

            String now = imports(Reconciler.plan(d, List.of(), OPTIONS)).get(0).actionId();
            String later = imports(Reconciler.plan(d, List.of(), PlanOptions.defaults(CLOUD, NOW.plusSeconds(60))))
                    .get(0).actionId();

            assertEquals(now, later);
        }

        @Test
        void shouldMakeActionIdsFromKindAndParts() {
            assertTrue(ActionIds.of("import", "a", "b").startsWith("import-"));
            assertEquals(ActionIds.of("import", "a", "b"), ActionIds.of("import", "a", "b"));
            assertNotEquals(ActionIds.of("import", "ab", "c"), ActionIds.of("import", "a", "bc"));
        }
    }

    @Nested
    class ForeignImages {
        @Test
        void shouldIgnoreImagesWithoutTheManagementTag() {
            ObservedImage handMade = observed("foreign-1", "my own cirros").of("MyCirros", "0.6.2").unmanaged()
                    .visibility("public").build();

            Plan plan = plan(image("MyCirros").versions("0.6.2").build(), List.of(handMade));

            assertEquals(List.of("import 'MyCirros 0.6.2' from https://images.example.org/0.6.2/disk.img"),
                    described(plan));
        }

        @Test
        void shouldIgnoreImagesOfAnotherFamily() {
            ObservedImage other = observed("foreign-1", "OtherCirros 0.6.2").of("OtherCirros", "0.6.2").build();

            Plan plan = plan(image("MyCirros").versions("0.6.2").build(), List.of(other));

            assertEquals(List.of("MyCirros 0.6.2"), imports(plan).stream().map(ImportImage::imageName).toList());
            assertTrue(plan.family("OtherCirros").map(f -> f.executable().isEmpty()).orElse(true));
        }

        @Test
        void shouldNeverPlanAnActionOnAForeignImage() {
            ImageDefinition d = ubuntu().visibility("public").build();
            List<ObservedImage> cloud = List.of(
                    observed("foreign-1", "Ubuntu 24.04").of("Ubuntu 24.04", "20240416").unmanaged().build(),
                    observed("foreign-2", "Ubuntu 24.04 (20240422)").of("Ubuntu", "20240422").build());

            Plan plan = plan(d, cloud);

            assertTrue(plan.actions().stream().filter(ExistingImageAction.class::isInstance)
                    .map(a -> ((ExistingImageAction) a).imageId()).noneMatch(id -> id.startsWith("foreign")),
                    () -> described(plan).toString());
        }

        @Test
        void shouldBlockAnImportWhoseNameAForeignImageCarries() {
            ObservedImage handMade = observed("foreign-1", "MyCirros 0.6.2").unmanaged().build();

            Plan plan = plan(image("MyCirros").versions("0.6.2").build(), List.of(handMade));

            assertEquals(List.of(), plan.executable());
            Blocked blocked = assertInstanceOf(Blocked.class, plan.actions().get(0));
            assertTrue(blocked.reason().contains("foreign-1"), blocked.reason());
        }
    }

    @Nested
    class ImportsInProgress {
        @Test
        void shouldWaitForAnImportThatIsStillRunning() {
            ObservedImage queued = observed("id-1", "MyCirros 0.6.2").of("MyCirros", "0.6.2").status("queued")
                    .createdAt(NOW.minus(Duration.ofMinutes(10))).build();
            ObservedImage saving = observed("id-2", "MyCirros 0.6.3").of("MyCirros", "0.6.3").status("saving")
                    .createdAt(NOW.minus(Duration.ofMinutes(10))).build();

            FamilyPlan plan = familyPlan(cirros().build(), List.of(queued, saving));

            assertEquals(List.of(), plan.actions());
            assertEquals(List.of("MyCirros 0.6.2", "MyCirros 0.6.3"), plan.inProgress());
            assertEquals(0, plan.unchanged());
        }

        @Test
        void shouldStillWaitWhenTheImportIsExactlyAsOldAsTheStaleLimit() {
            ObservedImage running = observed("id-1", "MyCirros 0.6.2").of("MyCirros", "0.6.2").status("importing")
                    .createdAt(NOW.minus(Duration.ofHours(2))).build();

            FamilyPlan plan = familyPlan(image("MyCirros").versions("0.6.2").build(), List.of(running));

            assertEquals(List.of(), plan.actions());
            assertEquals(List.of("MyCirros 0.6.2"), plan.inProgress());
        }

        @Test
        void shouldImportAgainWhenTheRunningImportIsStale() {
            ObservedImage stuck = observed("id-1", "MyCirros 0.6.2").of("MyCirros", "0.6.2").status("queued")
                    .createdAt(NOW.minus(Duration.ofHours(3))).build();

            FamilyPlan plan = familyPlan(image("MyCirros").versions("0.6.2").build(), List.of(stuck));

            assertEquals(List.of("MyCirros 0.6.2"),
                    plan.executable().stream().filter(ImportImage.class::isInstance).map(a -> ((ImportImage) a).imageName()).toList());
            assertEquals(List.of(), plan.inProgress());
        }

        @Test
        void shouldTakeAnActiveImageStillMarkedPendingForARunningImportUntilItIsStale() {
            ObservedImage young = observed("id-1", "MyCirros 0.6.2").of("MyCirros", "0.6.2").status("active")
                    .property(org.imagemanager.plan.ImageProperties.PENDING, "true").createdAt(NOW.minus(Duration.ofMinutes(5))).build();
            ObservedImage old = observed("id-2", "MyCirros 0.6.2").of("MyCirros", "0.6.2").status("active")
                    .property(org.imagemanager.plan.ImageProperties.PENDING, "true").createdAt(NOW.minus(Duration.ofHours(3))).build();

            FamilyPlan waiting = familyPlan(image("MyCirros").versions("0.6.2").build(), List.of(young));
            FamilyPlan repaired = familyPlan(image("MyCirros").versions("0.6.2").build(), List.of(old));

            assertEquals(List.of("MyCirros 0.6.2"), waiting.inProgress());
            assertEquals(List.of(), waiting.executable(), "not taken as done, not removed while it may still finish");
            assertTrue(repaired.executable().stream().anyMatch(a -> a instanceof org.imagemanager.event.DeleteImage d && d.imageId().equals("id-2")),
                    "an unverified image left by a killed import is removed");
            assertTrue(repaired.executable().stream().anyMatch(ImportImage.class::isInstance), "and the version imported again");
        }

        /** Every importer holds its family's claim while it works: a running import of a family nobody holds is dead. */
        @Test
        void shouldNotWaitForARunningImportOfAFamilyThatNoRunHoldsAClaimOn() {
            ImageDefinition d = image("MyCirros").versions("0.6.2").build();
            ObservedImage halfDone = observed("id-1", "MyCirros 0.6.2").of("MyCirros", "0.6.2").status("saving")
                    .property(org.imagemanager.plan.ImageProperties.PENDING, "true").createdAt(NOW.minus(Duration.ofMinutes(1))).build();

            FamilyPlan claimed = familyPlan(d, List.of(halfDone));
            FamilyPlan unclaimed = Reconciler.plan(List.of(d), List.of(halfDone), OPTIONS,
                    new Reconciler.Inputs(java.util.Map.of(), java.util.Set.of(), java.util.Set.of("MyCirros"))).family("MyCirros").orElseThrow();

            assertEquals(List.of("MyCirros 0.6.2"), claimed.inProgress(), "an import under a live claim is waited for");
            assertEquals(List.of(), unclaimed.inProgress());
            assertTrue(unclaimed.executable().stream().anyMatch(a -> a instanceof org.imagemanager.event.DeleteImage del && del.imageId().equals("id-1")),
                    "the dead run's half image is removed");
            assertTrue(unclaimed.executable().stream().anyMatch(ImportImage.class::isInstance), "and the version imported again");
        }

        @Test
        void shouldImportAgainWhenTheImportWasKilled() {
            ObservedImage killed = observed("id-1", "MyCirros 0.6.2").of("MyCirros", "0.6.2").status("killed").build();

            FamilyPlan plan = familyPlan(image("MyCirros").versions("0.6.2").build(), List.of(killed));

            assertEquals(List.of("MyCirros 0.6.2"),
                    plan.executable().stream().filter(ImportImage.class::isInstance).map(a -> ((ImportImage) a).imageName()).toList());
        }

        @Test
        void shouldNotWaitForAStaleImport() {
            ObservedImage stuck = observed("id-1", "MyCirros 0.6.2").of("MyCirros", "0.6.2").status("queued")
                    .createdAt(NOW.minus(Duration.ofHours(3))).build();

            FamilyPlan plan = familyPlan(image("MyCirros").versions("0.6.2").build(), List.of(stuck));

            assertEquals(List.of(), plan.inProgress());
            assertFalse(plan.actions().isEmpty(), "a stale import is either planned again or reported");
        }

        @Test
        void shouldPlanAnImportWhenAStaleImportLeftNoImageUnderTheName() {
            // the stuck image was created under another name (e.g. before a rename of the definition)
            ObservedImage stuck = observed("id-1", "stuck upload").of("MyCirros", "0.6.2").status("queued")
                    .createdAt(NOW.minus(Duration.ofHours(3))).build();

            FamilyPlan plan = familyPlan(image("MyCirros").versions("0.6.2").build(), List.of(stuck));

            assertEquals(List.of("MyCirros 0.6.2"),
                    plan.executable().stream().filter(ImportImage.class::isInstance).map(a -> ((ImportImage) a).imageName()).toList());
        }

        @Test
        void shouldPreferAnActiveImageOverARunningImportOfTheSameVersion() {
            ImageDefinition d = image("MyCirros").versions("0.6.2").build();
            ObservedImage active = inLine(d, "0.6.2", "id-1", "MyCirros 0.6.2").build();
            ObservedImage queued = observed("id-2", "MyCirros 0.6.2").of("MyCirros", "0.6.2").status("queued")
                    .createdAt(NOW).build();

            FamilyPlan plan = familyPlan(d, List.of(queued, active));

            assertEquals(List.of(), plan.actions());
            assertEquals(List.of(), plan.inProgress());
            assertEquals(1, plan.unchanged());
        }
    }

    @Nested
    class Rotation {
        private final ImageDefinition ubuntu = ubuntu().build();
        private final ObservedImage oldLatest = inLine(ubuntu, "20240416", "id-16", "Ubuntu 24.04").build();
        private final ObservedImage newBuild = inLine(ubuntu, "20240422", "id-22", "Ubuntu 24.04 (20240422)").build();

        @Test
        void shouldRenameTheOldLatestAwayBeforeTheNewBuildTakesThePlainName() {
            FamilyPlan plan = familyPlan(ubuntu, List.of(oldLatest, newBuild));

            assertEquals(List.of(
                    "rename 'Ubuntu 24.04' -> 'Ubuntu 24.04 (20240416)'",
                    "rename 'Ubuntu 24.04 (20240422)' -> 'Ubuntu 24.04'"),
                    plan.actions().stream().map(ImageAction::describe).toList());
            assertEquals("id-16", ((RenameImage) plan.actions().get(0)).imageId());
            assertEquals("id-22", ((RenameImage) plan.actions().get(1)).imageId());
        }

        @Test
        void shouldOrderTheRenamesTheSameWayWhateverTheOrderOfTheInput() {
            ImageDefinition newestFirst = image("Ubuntu 24.04").multi(true).login("ubuntu")
                    .meta("os_distro", "ubuntu").meta("os_version", "24.04").versions("20240422", "20240416").build();

            Plan plan = plan(newestFirst, List.of(newBuild, oldLatest));

            assertEquals(List.of(
                    "rename 'Ubuntu 24.04' -> 'Ubuntu 24.04 (20240416)'",
                    "rename 'Ubuntu 24.04 (20240422)' -> 'Ubuntu 24.04'"), described(plan));
        }

        @Test
        void shouldKeepThePlainNameOnTheOldBuildWhileTheNewOneIsImporting() {
            ObservedImage importing = observed("id-22", "Ubuntu 24.04 (20240422)").of("Ubuntu 24.04", "20240422")
                    .status("saving").createdAt(NOW.minusSeconds(60)).build();

            FamilyPlan plan = familyPlan(ubuntu, List.of(oldLatest, importing));

            assertEquals(List.of(), plan.actions());
            assertEquals(List.of("Ubuntu 24.04 (20240422)"), plan.inProgress());
            assertEquals(1, plan.unchanged());
        }

        @Test
        void shouldImportTheNewBuildWithoutTouchingThePlainName() {
            FamilyPlan plan = familyPlan(ubuntu, List.of(oldLatest));

            assertEquals(List.of("import 'Ubuntu 24.04 (20240422)' from https://images.example.org/20240422/disk.img"),
                    plan.actions().stream().map(ImageAction::describe).toList());
            assertEquals(1, plan.unchanged());
        }

        @Test
        void shouldGiveThePlainNameToTheOnlyBuildOnceItIsActive() {
            ImageDefinition single = image("Ubuntu 24.04").multi(true).versions("20240416").build();
            ObservedImage only = inLine(single, "20240416", "id-16", "Ubuntu 24.04 (20240416)").build();

            assertEquals(List.of("rename 'Ubuntu 24.04 (20240416)' -> 'Ubuntu 24.04'"),
                    described(plan(single, List.of(only))));
        }

        @Test
        void shouldRenameTheOldLatestAwayEvenWhenItsVersionIsNoLongerDefined() {
            ImageDefinition onlyNewest = image("Ubuntu 24.04").multi(true).login("ubuntu")
                    .meta("os_distro", "ubuntu").meta("os_version", "24.04").versions("20240422").build();

            Plan plan = plan(onlyNewest, List.of(oldLatest, newBuild));

            assertEquals(List.of(
                    "rename 'Ubuntu 24.04' -> 'Ubuntu 24.04 (20240416)'",
                    "rename 'Ubuntu 24.04 (20240422)' -> 'Ubuntu 24.04'"), described(plan));
        }

        @Test
        void shouldRotateThroughThreeBuilds() {
            ImageDefinition three = ubuntu().versions("20240501").build();
            List<ObservedImage> cloud = List.of(
                    inLine(three, "20240416", "id-16", "Ubuntu 24.04 (20240416)").build(),
                    inLine(three, "20240422", "id-22", "Ubuntu 24.04").build(),
                    inLine(three, "20240501", "id-01", "Ubuntu 24.04 (20240501)").build());

            FamilyPlan plan = familyPlan(three, cloud);

            assertEquals(List.of(
                    "rename 'Ubuntu 24.04' -> 'Ubuntu 24.04 (20240422)'",
                    "rename 'Ubuntu 24.04 (20240501)' -> 'Ubuntu 24.04'"),
                    plan.actions().stream().map(ImageAction::describe).toList());
            assertEquals(1, plan.unchanged());
        }

        @Test
        void shouldLeaveARotatedFamilyAlone() {
            List<ObservedImage> cloud = List.of(
                    inLine(ubuntu, "20240416", "id-16", "Ubuntu 24.04 (20240416)").build(),
                    inLine(ubuntu, "20240422", "id-22", "Ubuntu 24.04").build());

            FamilyPlan plan = familyPlan(ubuntu, cloud);

            assertEquals(List.of(), plan.actions());
            assertEquals(2, plan.unchanged());
        }

        @Test
        void shouldCarryCloudAndFamilyInTheRenames() {
            RenameImage r = (RenameImage) plan(ubuntu, List.of(oldLatest, newBuild)).actions().get(0);

            assertEquals(CLOUD, r.cloud());
            assertEquals("Ubuntu 24.04", r.family());
            assertEquals("prod/Ubuntu 24.04", r.key());
        }
    }

    @Nested
    class Visibility {
        @Test
        void shouldLetTheVersionsVisibilityOverrideTheImages() {
            ImageDefinition d = image("X").visibility("public")
                    .version(version("1").visibility("community")).version(version("2")).build();
            List<ObservedImage> cloud = List.of(
                    inLine(d, "1", "id-1", "X 1").visibility("public").build(),
                    inLine(d, "2", "id-2", "X 2").build());

            FamilyPlan plan = familyPlan(d, cloud);

            assertEquals(1, plan.actions().size(), () -> plan.actions().toString());
            SetVisibility v = assertInstanceOf(SetVisibility.class, plan.actions().get(0));
            assertEquals("id-1", v.imageId());
            assertEquals("X 1", v.imageName());
            assertEquals("public", v.from());
            assertEquals("community", v.to());
            assertEquals(1, plan.unchanged());
        }

        @Test
        void shouldMakeAnImportedImagePublicWhenTheDefinitionSaysSo() {
            ImageDefinition d = image("X").visibility("public").versions("1").build();

            Plan plan = plan(d, List.of(inLine(d, "1", "id-1", "X 1").visibility("private").build()));

            assertEquals(List.of("visibility of 'X 1' private -> public"), described(plan));
        }

        @Test
        void shouldDefaultToPrivate() {
            ImageDefinition d = image("X").versions("1").build();

            Plan plan = plan(d, List.of(inLine(d, "1", "id-1", "X 1").visibility("public").build()));

            assertEquals(List.of("visibility of 'X 1' public -> private"), described(plan));
        }

        @Test
        void shouldNameTheImageByItsNewNameWhenItIsRenamedToo() {
            ImageDefinition d = image("Ubuntu 24.04").multi(true).visibility("public").versions("20240416").build();
            ObservedImage fresh = inLine(d, "20240416", "id-16", "Ubuntu 24.04 (20240416)").visibility("private").build();

            assertEquals(List.of(
                    "visibility of 'Ubuntu 24.04' private -> public",
                    "rename 'Ubuntu 24.04 (20240416)' -> 'Ubuntu 24.04'"), described(plan(d, List.of(fresh))));
        }
    }

    @Nested
    class Order {
        /** A new build gets its visibility before it takes the plain name: users never see the name on a hidden image. */
        @Test
        void shouldImportFirstThenChangeVisibilityThenRename() {
            ImageDefinition d = image("Ubuntu 24.04").multi(true).visibility("public")
                    .versions("20240416", "20240422", "20240501").build();
            List<ObservedImage> cloud = List.of(
                    inLine(d, "20240416", "id-16", "Ubuntu 24.04").build(),
                    inLine(d, "20240422", "id-22", "Ubuntu 24.04 (20240422)").visibility("private").build());

            List<Class<?>> kinds = plan(d, cloud).actions().stream().<Class<?>>map(Object::getClass).toList();

            assertEquals(List.of(ImportImage.class, SetVisibility.class, RenameImage.class, RenameImage.class), kinds);
        }
    }

    @Nested
    class NothingToDo {
        @Test
        void shouldPlanNothingForADisabledDefinition() {
            ImageDefinition d = image("X").enable(false).visibility("public").versions("1", "2").build();
            List<ObservedImage> cloud = List.of(observed("id-1", "wrong name").of("X", "1").build());

            Plan plan = plan(d, cloud);

            assertEquals(List.of(), plan.actions());
            assertTrue(plan.inLine());
        }

        @Test
        void shouldPlanNothingForAConvergedCloudAndCountEveryVersionUnchanged() {
            ImageDefinition d = cirros().build();
            List<ObservedImage> cloud = List.of(
                    inLine(d, "0.6.2", "id-2", "MyCirros 0.6.2").build(),
                    inLine(d, "0.6.3", "id-3", "MyCirros 0.6.3").build());

            Plan plan = plan(d, cloud);
            FamilyPlan family = plan.family("MyCirros").orElseThrow();

            assertEquals(List.of(), plan.actions());
            assertEquals(List.of(), family.inProgress());
            assertEquals(2, family.unchanged());
            assertTrue(plan.inLine());
        }

        @Test
        void shouldCountADeactivatedImageAsPresent() {
            ImageDefinition d = image("X").versions("1").build();

            Plan plan = plan(d, List.of(inLine(d, "1", "id-1", "X 1").status("deactivated").build()));

            assertTrue(imports(plan).isEmpty(), () -> described(plan).toString());
        }
    }
}
