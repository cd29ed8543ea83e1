package org.imagemanager.plan;

import org.imagemanager.definition.ImageDefinition;
import org.imagemanager.event.ImageAction;
import org.imagemanager.event.ImportImage;
import org.imagemanager.event.RenameImage;
import org.imagemanager.event.SetVisibility;
import org.imagemanager.fixtures.FakeCloud;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.imagemanager.fixtures.ObservedImageBuilder.observed;
import static org.imagemanager.fixtures.RealDefinitions.FLATCAR;
import static org.imagemanager.fixtures.RealDefinitions.UBUNTU;
import static org.imagemanager.fixtures.RealDefinitions.flatcar;
import static org.imagemanager.fixtures.RealDefinitions.ubuntu;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The seed's rotation of {@code multi: true} images, simulated round by round against an in-memory cloud. */
class RotationTest {
    private static final Instant NOW = Instant.parse("2024-06-15T12:00:00Z");
    private static final PlanOptions OPTIONS = PlanOptions.defaults("prod", NOW);

    private final FakeCloud cloud = new FakeCloud(NOW)
            // the plain name is only ever carried by an image that is there and usable
            .invariant(c -> c.named(UBUNTU).ifPresent(i -> assertTrue(i.usable(),
                    () -> "the plain name is on an image that is " + i.status() + ": " + i)));

    private Plan plan(ImageDefinition definition) {
        return cloud.plan(List.of(definition), OPTIONS);
    }

    private static List<String> described(Plan plan) {
        return plan.actions().stream().map(ImageAction::describe).toList();
    }

    private String idOf(String name) {
        return cloud.named(name).orElseThrow(() -> new AssertionError("no image '" + name + "' in " + cloud.names())).id();
    }

    /** One round in which a new build appears: import (running, then done), then the rotation. */
    private void addBuild(ImageDefinition definition, String build, String previousPlainId) {
        Plan importing = plan(definition);
        assertEquals(List.of("import 'Ubuntu 24.04 (" + build + ")' from https://cloud-images.ubuntu.com/noble/" + build
                + "/noble-server-cloudimg-amd64.img"), described(importing), "only the new build is imported");

        cloud.apply(importing, "importing");
        Plan waiting = plan(definition);
        assertEquals(List.of(), waiting.actions(), "nothing moves while the new build is importing");
        assertEquals(List.of("Ubuntu 24.04 (" + build + ")"), waiting.family(UBUNTU).orElseThrow().inProgress());
        assertEquals(previousPlainId, idOf(UBUNTU), "the old build keeps the plain name during the import");

        cloud.finishImports();
        Plan rotation = plan(definition);
        List<ImageAction> actions = rotation.actions();
        String previousName = cloud.byId(previousPlainId).property(ImageProperties.INTERNAL_VERSION);
        // the fresh import is private and the definition says public: it is made public before it takes the name
        SetVisibility visibility = assertInstanceOf(SetVisibility.class, actions.get(0));
        RenameImage away = assertInstanceOf(RenameImage.class, actions.get(1));
        RenameImage to = assertInstanceOf(RenameImage.class, actions.get(2));
        assertEquals(previousPlainId, away.imageId());
        assertEquals(UBUNTU, away.fromName());
        assertEquals("Ubuntu 24.04 (" + previousName + ")", away.toName());
        assertEquals(idOf("Ubuntu 24.04 (" + build + ")"), to.imageId());
        assertEquals("Ubuntu 24.04 (" + build + ")", to.fromName());
        assertEquals(UBUNTU, to.toName());
        assertEquals(to.imageId(), visibility.imageId());
        assertEquals("public", visibility.to());
        assertEquals(3, actions.size(), () -> described(rotation).toString());

        cloud.apply(rotation);
        assertTrue(plan(definition).inLine(), () -> described(plan(definition)).toString());
    }

    @Test
    void duplicatesUnderThePlainNameWhoseIdsBeginAlikeMoveAsideUnderDistinctNames() {
        // found by a property test: two copies of one build made by hand under the plain name, with ids whose first
        // eight characters are equal, both wanted the same "(version id8)" name and blocked each other for ever
        ImageDefinition definition = ubuntu("20240416", "20240422").build();
        cloud.converge(List.of(definition), OPTIONS);
        List<ObservedImage> observed = new java.util.ArrayList<>(cloud.images());
        observed.add(observed("abcdefgh-1", UBUNTU).of(UBUNTU, "20240416").visibility("public").build());
        observed.add(observed("abcdefgh-2", UBUNTU).of(UBUNTU, "20240416").visibility("public").build());

        Plan plan = Reconciler.plan(List.of(definition), observed, OPTIONS);

        assertTrue(plan.actions().stream().noneMatch(a -> a instanceof org.imagemanager.event.Blocked), () -> described(plan).toString());
        List<String> asides = plan.actions().stream().filter(RenameImage.class::isInstance).map(RenameImage.class::cast)
                .filter(r -> r.imageId().startsWith("abcdefgh")).map(RenameImage::toName).toList();
        assertEquals(2, asides.size(), () -> described(plan).toString());
        assertTrue(!asides.get(0).equals(asides.get(1)), asides::toString);
    }

    @Test
    void threeSuccessiveBuildsMoveThePlainNameToTheNewestAndSuffixTheOlderOnes() {
        // v1: the only build is imported under its suffixed name, then takes the plain name once it is active
        ImageDefinition v1 = ubuntu("20240416").build();
        Plan first = plan(v1);
        assertEquals(List.of("import 'Ubuntu 24.04 (20240416)' from "
                + "https://cloud-images.ubuntu.com/noble/20240416/noble-server-cloudimg-amd64.img"), described(first));
        cloud.apply(first, "importing");
        assertEquals(List.of(), plan(v1).actions(), "no rename onto an image that is still importing");
        cloud.finishImports();
        Plan takePlainName = plan(v1);
        assertEquals(List.of("visibility of 'Ubuntu 24.04' private -> public",
                "rename 'Ubuntu 24.04 (20240416)' -> 'Ubuntu 24.04'"), described(takePlainName));
        cloud.apply(takePlainName);
        assertEquals(List.of(UBUNTU), cloud.sortedNames());
        String id16 = idOf(UBUNTU);

        // v2: 20240422 is imported beside it, then the rotation
        addBuild(ubuntu("20240416", "20240422").build(), "20240422", id16);
        assertEquals(Map.of(id16, "Ubuntu 24.04 (20240416)", idOf(UBUNTU), UBUNTU), cloud.names());
        String id22 = idOf(UBUNTU);

        // v3: 20240501
        addBuild(ubuntu("20240416", "20240422", "20240501").build(), "20240501", id22);
        String id01 = idOf(UBUNTU);
        assertEquals(Map.of(id16, "Ubuntu 24.04 (20240416)", id22, "Ubuntu 24.04 (20240422)", id01, UBUNTU),
                cloud.names());
        assertEquals("20240501", cloud.byId(id01).property(ImageProperties.INTERNAL_VERSION));
    }

    @Test
    void theSeedsTwoBuildDefinitionCreatesTheSuffixedOlderBuildAndThePlainNewestOne() {
        ImageDefinition d = ubuntu("20240416", "20240422").build();

        Plan imports = plan(d);
        assertEquals(List.of("Ubuntu 24.04 (20240416)", "Ubuntu 24.04 (20240422)"),
                imports.actions().stream().map(a -> ((ImportImage) a).imageName()).toList(),
                "both builds are created under suffixed names: none takes the plain name before it is there");
        cloud.converge(List.of(d), OPTIONS);

        assertEquals(List.of(UBUNTU, "Ubuntu 24.04 (20240416)"), cloud.sortedNames());
        assertEquals("20240422", cloud.named(UBUNTU).orElseThrow().property(ImageProperties.INTERNAL_VERSION));
    }

    @Test
    void theOlderBuildKeepsItsSuffixedNameWhenANewBuildArrives() {
        cloud.converge(List.of(ubuntu("20240416", "20240422").build()), OPTIONS);
        String id16 = idOf("Ubuntu 24.04 (20240416)");
        cloud.converge(List.of(ubuntu("20240416", "20240422", "20240501").build()), OPTIONS);

        assertEquals("Ubuntu 24.04 (20240416)", cloud.byId(id16).name(), "Ubuntu 24.04 (20240416) does not change");
    }

    @Test
    void theRenameAwayComesStrictlyBeforeTheRenameToEvenWhenTheDefinitionListsNewestFirst() {
        cloud.converge(List.of(ubuntu("20240422").build()), OPTIONS);
        cloud.apply(plan(ubuntu("20240501", "20240422").build()));

        List<ImageAction> actions = plan(ubuntu("20240501", "20240422").build()).actions();

        List<String> renames = actions.stream().filter(RenameImage.class::isInstance).map(ImageAction::describe).toList();
        assertEquals(List.of("rename 'Ubuntu 24.04' -> 'Ubuntu 24.04 (20240422)'",
                "rename 'Ubuntu 24.04 (20240501)' -> 'Ubuntu 24.04'"), renames);
    }

    @ParameterizedTest
    @ValueSource(strings = {"queued", "saving", "importing", "uploading"})
    void thePlainNameNeverMovesToABuildThatIsStillImporting(String status) {
        cloud.converge(List.of(ubuntu("20240416").build()), OPTIONS);
        ImageDefinition d = ubuntu("20240416", "20240422").build();
        cloud.apply(plan(d), status);

        Plan plan = plan(d);

        assertEquals(List.of(), plan.actions());
        assertEquals("20240416", cloud.named(UBUNTU).orElseThrow().property(ImageProperties.INTERNAL_VERSION));
    }

    @Test
    void aKilledImportOfTheNewBuildLeavesThePlainNameOnTheOldBuild() {
        cloud.converge(List.of(ubuntu("20240416").build()), OPTIONS);
        ImageDefinition d = ubuntu("20240416", "20240422").build();
        cloud.apply(plan(d), "killed");

        Plan plan = plan(d);

        assertTrue(plan.actions().stream().noneMatch(RenameImage.class::isInstance), () -> described(plan).toString());
        assertEquals("20240416", cloud.named(UBUNTU).orElseThrow().property(ImageProperties.INTERNAL_VERSION));
    }

    @Test
    void theOnlyBuildOfAFreshFamilyIsNeverCalledByThePlainNameBeforeItIsActive() {
        ImageDefinition d = ubuntu("20240416").build();
        cloud.apply(plan(d), "queued");

        assertEquals(List.of(), plan(d).actions());
        assertEquals(List.of("Ubuntu 24.04 (20240416)"), cloud.sortedNames());
    }

    @Test
    void whileTheNewestBuildIsStillImportingTheOlderFinishedBuildCarriesThePlainName() {
        ImageDefinition d = ubuntu("20240416", "20240422").build();
        Plan imports = plan(d);
        cloud.apply(imports, "importing");
        String id16 = idOf("Ubuntu 24.04 (20240416)");
        cloud.replace(id16, i -> FakeCloud.withStatus(i, "active")); // 20240416 finished first

        cloud.apply(plan(d));

        assertEquals(id16, idOf(UBUNTU), "never no plain name while a usable build could carry it");
        assertEquals("importing", cloud.named("Ubuntu 24.04 (20240422)").orElseThrow().status());
        cloud.finishImports();
        cloud.apply(plan(d));
        assertEquals(Map.of(id16, "Ubuntu 24.04 (20240416)", idOf(UBUNTU), UBUNTU), cloud.names());
    }

    @Test
    void addingAnOlderBuildLaterDoesNotMoveThePlainName() {
        cloud.converge(List.of(ubuntu("20240422").build()), OPTIONS);
        String id22 = idOf(UBUNTU);

        cloud.converge(List.of(ubuntu("20240416", "20240422").build()), OPTIONS);

        assertEquals(id22, idOf(UBUNTU));
        assertEquals(List.of(UBUNTU, "Ubuntu 24.04 (20240416)"), cloud.sortedNames());
    }

    @Test
    void whenTheOldPlainImagesSuffixedNameIsTakenItMovesAsideUnderItsIdAndTheNewBuildTakesThePlainName() {
        cloud.converge(List.of(ubuntu("20240422").build()), OPTIONS);
        String id22 = idOf(UBUNTU);
        // an operator's own copy carries the name the old build would be renamed to
        cloud.add(org.imagemanager.fixtures.ObservedImageBuilder.observed("hand-1", "Ubuntu 24.04 (20240422)")
                .unmanaged().build());
        ImageDefinition d = ubuntu("20240422", "20240501").build();
        cloud.apply(plan(d)); // 20240501 imported

        Plan plan = plan(d);

        cloud.apply(plan); // FakeCloud refuses a rename onto a taken name
        assertEquals("Ubuntu 24.04 (20240422 " + id22.substring(0, Math.min(8, id22.length())) + ")", cloud.byId(id22).name());
        assertEquals("20240501", cloud.named(UBUNTU).orElseThrow().property(ImageProperties.INTERNAL_VERSION));
    }

    @Test
    void aCustomSeparatorIsUsedForTheSuffixedNames() {
        ImageDefinition d = org.imagemanager.fixtures.DefinitionBuilder.image(UBUNTU).multi(true).separator("-")
                .versions("20240416", "20240422").build();

        cloud.converge(List.of(d), OPTIONS);

        assertEquals(List.of(UBUNTU, "Ubuntu 24.04-(20240416)"), cloud.sortedNames());
    }

    @Test
    void aNewFlatcarReleaseIsAddedWithoutRenamingOrHidingTheOlderOnes() {
        cloud.converge(List.of(flatcar("3815.2.0", "3975.2.0").build()), OPTIONS);
        Map<String, String> before = cloud.names();

        Plan plan = plan(flatcar("3815.2.0", "3975.2.0", "3975.2.1").build());

        assertEquals(List.of("import 'Flatcar 3975.2.1' from "
                + "https://stable.release.flatcar-linux.net/amd64-usr/3975.2.1/flatcar_production_openstack_image.img"),
                described(plan));
        cloud.converge(List.of(flatcar("3815.2.0", "3975.2.0", "3975.2.1").build()), OPTIONS);
        before.forEach((id, name) -> assertEquals(name, cloud.byId(id).name()));
        before.keySet().forEach(id -> assertEquals("public", cloud.byId(id).visibility()));
        assertEquals(List.of("Flatcar 3815.2.0", "Flatcar 3975.2.0", "Flatcar 3975.2.1"), cloud.sortedNames());
        assertTrue(cloud.named(FLATCAR).isEmpty(), "multi: false has no plain name");
    }

    @Test
    void aRotatedFamilyIsInLineAndEveryBuildCountsAsUnchanged() {
        ImageDefinition d = ubuntu("20240416", "20240422", "20240501").build();
        cloud.converge(List.of(d), OPTIONS);

        Plan plan = plan(d);

        assertTrue(plan.inLine());
        assertEquals(3, plan.family(UBUNTU).orElseThrow().unchanged());
    }
}
