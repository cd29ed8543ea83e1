package org.imagemanager.rotator;

import org.imagemanager.claim.FamilyClaims;
import org.imagemanager.testsupport.InMemoryGlance;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The claim protocol on the in-memory Glance, which keeps Glance's one guarantee it rests on (an id is handed out
 * once): many rounds of many racing runs, and expiry on a clock the test moves. (Against the real Glance: FamilyClaimsIT.)
 */
class FamilyClaimsTest {
    /** A clock the test moves. */
    private static final class TestClock extends Clock {
        final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-04T00:00:00Z"));

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }

    @Test
    void ofManyRunsRacingForAFamilyExactlyOneWinsEveryRound() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(6);
        try {
            for (int round = 0; round < 200; round++) {
                InMemoryGlance glance = new InMemoryGlance("memory");
                List<FamilyClaims> runs = new ArrayList<>();
                List<Callable<Boolean>> tries = new ArrayList<>();
                for (int run = 0; run < 6; run++) {
                    FamilyClaims claims = new FamilyClaims(() -> "run " + runs.size() + " " + System.nanoTime(), Duration.ofMinutes(1), Clock.systemUTC());
                    runs.add(claims);
                    tries.add(() -> {
                        try (FamilyClaims.Hold ignored = claims.hold(glance, "Fam")) {
                            return true;
                        } catch (FamilyClaims.HeldElsewhere e) {
                            return false;
                        }
                    });
                }
                int winners = 0;
                for (Future<Boolean> won : threads.invokeAll(tries)) {
                    winners += won.get() ? 1 : 0;
                }
                assertEquals(1, winners, "round " + round);
                runs.forEach(FamilyClaims::close);
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aClaimNobodyRenewsExpiresAfterItsLeaseAndTheNextRunTakesOver() throws Exception {
        InMemoryGlance glance = new InMemoryGlance("memory");
        TestClock clock = new TestClock();
        FamilyClaims dead = new FamilyClaims(() -> "dead", Duration.ofSeconds(30), clock);
        FamilyClaims next = new FamilyClaims(() -> "next", Duration.ofSeconds(30), clock);
        try {
            dead.hold(glance, "Fam").close(); // then it "dies": nothing works under it, nothing renews it
            clock.now.set(clock.now.get().plusSeconds(29));
            assertThrows(FamilyClaims.HeldElsewhere.class, () -> next.hold(glance, "Fam"));
            clock.now.set(clock.now.get().plusSeconds(2));
            try (FamilyClaims.Hold taken = next.hold(glance, "Fam")) {
                assertEquals(2, taken.term());
            }
            assertEquals(1, glance.listImages(FamilyClaims.TAG).size(), "the expired term was removed");
        } finally {
            dead.close();
            next.close();
        }
    }
}
