package org.imagemanager.plan;

import org.imagemanager.definition.ImageDefinition;
import org.imagemanager.event.Blocked;
import org.imagemanager.event.ImageAction;
import org.imagemanager.event.ImportImage;
import org.imagemanager.fixtures.FakeCloud;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.imagemanager.fixtures.ObservedImageBuilder.observed;
import static org.imagemanager.fixtures.RealDefinitions.UBUNTU;
import static org.imagemanager.fixtures.RealDefinitions.ubuntu;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seed: "By default the last three images will be visible. When a fourth image is added, the visibility of the
 * last image in the list is changed to community and the image can be deleted in the future."
 */
class VisibleBuildsTest {
    private static final Instant NOW = Instant.parse("2024-06-15T12:00:00Z");
    private static final PlanOptions OPTIONS = PlanOptions.defaults("prod", NOW);
    private static final String[] BUILDS = {"20240416", "20240422", "20240501", "20240510", "20240520"};

    private final FakeCloud cloud = new FakeCloud(NOW);

    private static ImageDefinition builds(int count) {
        return ubuntu(java.util.Arrays.copyOf(BUILDS, count)).meta("uuid_validity", "last-1").build();
    }

    /** name → visibility of every image in the cloud. */
    private Map<String, String> visibilities() {
        Map<String, String> result = new TreeMap<>();
        cloud.images().forEach(i -> result.put(i.name(), i.visibility()));
        return result;
    }

    private static List<String> described(Plan plan) {
        return plan.actions().stream().map(ImageAction::describe).toList();
    }

    @Test
    void aFourthBuildMakesTheOldestCommunityAndAFifthTheNextOne() {
        cloud.converge(List.of(builds(3)), OPTIONS);
        assertEquals(Map.of(UBUNTU, "public", "Ubuntu 24.04 (20240416)", "public", "Ubuntu 24.04 (20240422)", "public"),
                visibilities(), "three builds: all visible");

        cloud.converge(List.of(builds(4)), OPTIONS);
        assertEquals(Map.of(UBUNTU, "public", "Ubuntu 24.04 (20240501)", "public", "Ubuntu 24.04 (20240422)", "public",
                "Ubuntu 24.04 (20240416)", "community"), visibilities());

        cloud.converge(List.of(builds(5)), OPTIONS);
        assertEquals(Map.of(UBUNTU, "public", "Ubuntu 24.04 (20240510)", "public", "Ubuntu 24.04 (20240501)", "public",
                "Ubuntu 24.04 (20240422)", "community", "Ubuntu 24.04 (20240416)", "community"), visibilities());
        assertTrue(cloud.plan(List.of(builds(5)), OPTIONS).inLine(), "and stays so");
        assertEquals("20240520", cloud.named(UBUNTU).orElseThrow().property(ImageProperties.INTERNAL_VERSION));
    }

    @Test
    void theOldestBuildBecomesCommunityOnlyOnceTheNewBuildIsThere() {
        cloud.converge(List.of(builds(3)), OPTIONS);
        cloud.apply(cloud.plan(List.of(builds(4)), OPTIONS), "importing");

        Plan whileImporting = cloud.plan(List.of(builds(4)), OPTIONS);

        assertEquals(List.of(), whileImporting.actions(), "three builds are visible while the fourth is importing");
    }

    @Test
    void aFreshFamilyImportsOnlyTheVisibleBuilds() {
        Plan plan = cloud.plan(List.of(builds(5)), OPTIONS);

        assertEquals(List.of("Ubuntu 24.04 (20240501)", "Ubuntu 24.04 (20240510)", "Ubuntu 24.04 (20240520)"),
                plan.actions().stream().map(a -> ((ImportImage) a).imageName()).toList(),
                "an older build would only be hidden at once");
    }

    @Test
    void deactivateActsOnTheCommunityBuildsAndTheyStayDeactivated() {
        cloud.converge(List.of(builds(3)), OPTIONS);
        PlanOptions deactivate = OPTIONS.toBuilder().deactivate(true).build();
        cloud.converge(List.of(builds(5)), deactivate);

        assertEquals("deactivated", cloud.named("Ubuntu 24.04 (20240416)").orElseThrow().status());
        assertEquals("deactivated", cloud.named("Ubuntu 24.04 (20240422)").orElseThrow().status());
        assertEquals("active", cloud.named("Ubuntu 24.04 (20240501)").orElseThrow().status());
        assertTrue(cloud.plan(List.of(builds(5)), OPTIONS).inLine(),
                "a plan without --deactivate does not bring them back: " + described(cloud.plan(List.of(builds(5)), OPTIONS)));
    }

    @Test
    void hideHasNothingMoreToDoWithBuildsTheRotationMadeCommunity() {
        cloud.converge(List.of(builds(4)), OPTIONS);

        Plan plan = cloud.plan(List.of(builds(4)), OPTIONS.toBuilder().hide(true).build());

        assertTrue(plan.inLine(), () -> described(plan).toString());
    }

    @Test
    void hideAndTheRotationPlanOneVisibilityChangeNotTwo() {
        cloud.converge(List.of(builds(3)), OPTIONS);
        cloud.apply(cloud.plan(List.of(builds(4)), OPTIONS)); // the fourth is imported

        Plan plan = cloud.plan(List.of(builds(4)), OPTIONS.toBuilder().hide(true).build());

        assertEquals(1, described(plan).stream().filter(d -> d.equals("visibility of 'Ubuntu 24.04 (20240416)' public -> community")).count(),
                () -> described(plan).toString());
        cloud.apply(plan);
    }

    @Test
    void deleteRemovesTheCommunityBuildsForGoodWithoutImportingThemAgain() {
        cloud.converge(List.of(builds(3)), OPTIONS);
        PlanOptions delete = OPTIONS.toBuilder().delete(true, true).build();

        cloud.converge(List.of(builds(5)), delete);

        assertEquals(List.of(UBUNTU, "Ubuntu 24.04 (20240501)", "Ubuntu 24.04 (20240510)"), cloud.sortedNames());
        assertTrue(cloud.plan(List.of(builds(5)), delete).inLine(), "the deleted builds are not imported again");
    }

    @Test
    void uuidValidityStillKeepsWhatItPromises() {
        ImageDefinition lastThree = ubuntu(BUILDS).build(); // uuid_validity: last-3 keeps two retired builds
        cloud.converge(List.of(ubuntu(java.util.Arrays.copyOf(BUILDS, 3)).build()), OPTIONS);

        cloud.converge(List.of(lastThree), OPTIONS.toBuilder().delete(true, true).build());

        assertEquals(5, cloud.images().size(), cloud.sortedNames().toString());
        assertEquals("community", cloud.named("Ubuntu 24.04 (20240416)").orElseThrow().visibility());
    }

    @Test
    void aPrivateFamilyIsNeverWidenedToCommunity() {
        ImageDefinition d = ubuntu(BUILDS).visibility("private").build();
        cloud.converge(List.of(ubuntu(java.util.Arrays.copyOf(BUILDS, 3)).visibility("private").build()), OPTIONS);

        cloud.converge(List.of(d), OPTIONS);

        assertTrue(cloud.images().stream().allMatch(i -> i.visibility().equals("private")), visibilities()::toString);
    }

    @Test
    void theLimitIsAnOptionAndZeroMeansNone() {
        cloud.converge(List.of(builds(3)), OPTIONS);
        cloud.converge(List.of(builds(5)), OPTIONS.toBuilder().visibleBuilds(0).build());
        assertTrue(cloud.images().stream().allMatch(i -> i.visibility().equals("public")), visibilities()::toString);

        cloud.converge(List.of(builds(5)), OPTIONS.toBuilder().visibleBuilds(2).build());
        assertEquals(2, cloud.images().stream().filter(i -> i.visibility().equals("public")).count(), visibilities()::toString);
    }

    @Test
    void multiFalseFamiliesKeepEveryReleaseVisible() {
        ImageDefinition flatcar = org.imagemanager.fixtures.RealDefinitions.flatcar("3510.2.0", "3602.2.0", "3815.2.0",
                "3975.2.0", "3975.2.1").build();

        cloud.converge(List.of(flatcar), OPTIONS);

        assertEquals(5, cloud.images().size());
        assertTrue(cloud.images().stream().allMatch(i -> i.visibility().equals("public")), visibilities()::toString);
    }

    @Test
    void aPlainNameHeldOutsideTheFamilyBlocksTheImportInsteadOfMakingASecondCopy() {
        // the reference tool's build under the plain name, with a management tag that is not ours
        cloud.add(observed("theirs-1", UBUNTU).unmanaged().visibility("public").build());

        Plan plan = cloud.plan(List.of(builds(1)), OPTIONS);

        Blocked blocked = assertInstanceOf(Blocked.class, plan.actions().getFirst(), () -> described(plan).toString());
        assertEquals(Blocked.NAME_TAKEN + "theirs-1", blocked.reason());
        assertEquals(UBUNTU, blocked.imageName());
        assertTrue(plan.actions().stream().noneMatch(ImportImage.class::isInstance), () -> described(plan).toString());
    }
}
