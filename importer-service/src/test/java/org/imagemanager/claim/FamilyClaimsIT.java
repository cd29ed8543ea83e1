package org.imagemanager.claim;

import org.imagemanager.cloud.Clouds;
import org.imagemanager.glance.Glance;
import org.imagemanager.plan.ObservedImage;
import org.imagemanager.testsupport.DevCloud;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Family claims against the real Glance: what Glance guarantees, and what the claims build on it. */
class FamilyClaimsIT {
    Glance glance;
    final String id = UUID.randomUUID().toString().substring(0, 8);
    final String family = "Claimed " + id;
    final List<FamilyClaims> runs = new ArrayList<>();

    @BeforeEach
    void setUp() {
        glance = new Clouds(DevCloud.cloudsFile().toString()).glance(DevCloud.ADMIN_CLOUD);
    }

    @AfterEach
    void tearDown() {
        runs.forEach(FamilyClaims::close);
        claimImages().forEach(image -> glance.delete(image.id()));
    }

    private FamilyClaims run(String holder, Duration lease) {
        FamilyClaims claims = new FamilyClaims(() -> holder, lease, Clock.systemUTC());
        runs.add(claims);
        return claims;
    }

    private List<ObservedImage> claimImages() {
        return glance.listImages(FamilyClaims.TAG).stream().filter(i -> family.equals(i.property(FamilyClaims.FAMILY))).toList();
    }

    /** What the design rests on: Glance hands an id out once, and not again after the image is deleted. */
    @Test
    void glanceRefusesToCreateAnImageWithAnIdItHasEverHad() {
        String imageId = UUID.randomUUID().toString();
        Map<String, Object> image = new LinkedHashMap<>(Map.of("id", imageId, "name", "id probe " + id,
                "container_format", "bare", "disk_format", "raw", "os_hidden", true, "tags", List.of(FamilyClaims.TAG),
                FamilyClaims.FAMILY, family));
        assertTrue(glance.createIfAbsent(image));
        assertFalse(glance.createIfAbsent(image), "a second create of the same id is refused (409)");
        glance.delete(imageId);
        assertTrue(glance.get(imageId).isEmpty());
        assertFalse(glance.createIfAbsent(image), "a deleted image's id is not handed out again");
    }

    @Test
    void ofEightRunsThatClaimAFamilyAtOnceExactlyOneWinsAndTheOthersAreToldWho() throws Exception {
        int count = 8;
        ExecutorService threads = Executors.newFixedThreadPool(count);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<String>> outcomes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            FamilyClaims claims = run("run " + i + " " + id, Duration.ofMinutes(1));
            outcomes.add(threads.submit(() -> {
                start.await();
                try (FamilyClaims.Hold ignored = claims.hold(glance, family)) {
                    return "won";
                } catch (FamilyClaims.HeldElsewhere e) {
                    return e.holder();
                }
            }));
        }
        start.countDown();
        List<String> results = new ArrayList<>();
        for (Future<String> outcome : outcomes) {
            results.add(outcome.get());
        }
        threads.shutdown();
        assertEquals(1, results.stream().filter("won"::equals).count(), results.toString());
        String winner = "run " + results.indexOf("won") + " " + id;
        assertTrue(results.stream().filter(r -> !r.equals("won")).allMatch(winner::equals), results.toString());
        assertEquals(1, claimImages().size());
        assertTrue(claimImages().getFirst().hidden(), "claim images stay out of users' image lists");
    }

    @Test
    void aReleasedClaimIsTakenAtOnceAndTheOlderTermIsRemoved() throws Exception {
        FamilyClaims first = run("first " + id, Duration.ofMinutes(1));
        FamilyClaims second = run("second " + id, Duration.ofMinutes(1));
        try (FamilyClaims.Hold ignored = first.hold(glance, family)) {
            assertThrows(FamilyClaims.HeldElsewhere.class, () -> second.hold(glance, family));
        }
        first.close(); // the end of a run
        try (FamilyClaims.Hold hold = second.hold(glance, family)) {
            assertEquals(2, hold.term());
        }
        assertEquals(1, claimImages().size(), "one claim image per family");
        assertEquals("second " + id, claimImages().getFirst().property(FamilyClaims.HOLDER));
    }

    @Test
    void aClaimIsRenewedWhileWorkIsUnderWayAndExpiresWhenItsHolderStopsRenewing() throws Exception {
        FamilyClaims holder = run("holder " + id, Duration.ofSeconds(2));
        FamilyClaims other = run("other " + id, Duration.ofSeconds(2));
        FamilyClaims.Hold working = holder.hold(glance, family);
        for (int i = 0; i < 5; i++) {
            Thread.sleep(1000);
            assertThrows(FamilyClaims.HeldElsewhere.class, () -> other.hold(glance, family), "renewed while working, " + i + " s");
        }
        working.close(); // no more work under it: nobody renews it (as if its run had died)
        Thread.sleep(2500);
        try (FamilyClaims.Hold taken = other.hold(glance, family)) {
            assertEquals(2, taken.term());
        }
        assertThrows(FamilyClaims.HeldElsewhere.class, () -> holder.hold(glance, family),
                "the first holder's claim ran out: it is now the other run's");
    }

    @Test
    void processesOfOnePipelineShareItsClaims() throws Exception {
        FamilyClaims importer = run("pipeline events@" + id + " (host-a pid 1)", Duration.ofMinutes(1));
        FamilyClaims rotator = run("pipeline events@" + id + " (host-b pid 2)", Duration.ofMinutes(1));
        try (FamilyClaims.Hold a = importer.hold(glance, family); FamilyClaims.Hold b = rotator.hold(glance, family)) {
            assertEquals(a.imageId(), b.imageId());
        }
    }
}
