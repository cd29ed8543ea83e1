package org.imagemanager.claim;

import org.imagemanager.glance.Glance;
import org.imagemanager.glance.GlanceException;
import org.imagemanager.plan.ObservedImage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Which run may change a family's images in a cloud. Within one pipeline Kafka keeps a family with one worker; two
 * pipelines that share no broker (two {@code sync}s at once, a {@code sync} beside a {@code serve}) share only Glance,
 * so the guarantee lives there.
 *
 * <p><b>Design.</b> A claim is a data-less, hidden, private image tagged {@value #TAG}, one per family and project,
 * whose id is derived from (project, family, term). Glance refuses to create an image with an id it has ever had
 * (409, even after a delete), so of all runs that try to open term <i>n</i> exactly one wins: that is the only
 * compare-and-set Glance offers (its JSON-patch has no {@code test} operation, and a property update is a read
 * followed by a write). The winner writes who it is and until when the claim holds on the claim image; only the
 * winner ever writes to it afterwards. A run acquires a family like this:
 * <ol>
 *   <li>list the family's claim images; the highest term is the current claim;</li>
 *   <li>held by this pipeline: renew it and go on (re-entrant, shared by the importer and the rotator of one
 *       pipeline, even when they run as separate processes);</li>
 *   <li>held by another and not expired: leave the family alone ({@link HeldElsewhere});</li>
 *   <li>none, or expired (its holder died, or released it at its end): create term <i>n</i>+1. Winning it, delete
 *       the older terms; losing it (409), read the list again: someone else just won.</li>
 * </ol>
 * The holder renews its claim while it works ({@link #lease} / 4), and releases it when it stops (the expiry is set
 * to now), so the next run need not wait. A holder that dies stops renewing and its claim expires after one lease.
 *
 * <p>Limits: the expiry is compared with each run's clock, so the clocks of hosts that run against one cloud must
 * agree to well within a lease (NTP). A holder checks that at least half a lease is left before each step that creates
 * an image or moves a name ({@link Hold#confirm()}), so only a pause longer than that between the check and the call
 * could let a second run in.
 */
public class FamilyClaims implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FamilyClaims.class);
    public static final String TAG = "image-manager-claim";
    public static final String FAMILY = "image_manager_claim_family";
    public static final String TERM = "image_manager_claim_term";
    public static final String HOLDER = "image_manager_claim_holder";
    public static final String EXPIRES = "image_manager_claim_expires";
    /** Glance's limit of an image name (and of a property value). */
    private static final int MAX_NAME = 255;
    /** Terms tried in one acquisition: a few, unless claim images were deleted by hand (then one GET each). */
    private static final int MAX_TRIES = 200;

    private final Supplier<String> holderIdentity;
    private final Duration lease;
    private final Clock clock;
    private final Map<String, Claim> held = new ConcurrentHashMap<>();
    private final ScheduledExecutorService renewals = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "family-claims-renewal");
        thread.setDaemon(true);
        return thread;
    });
    private volatile String holder;

    /**
     * @param holderIdentity who we are: the same for every process of one pipeline, different for every other
     *                       pipeline (asked once, on first use)
     * @param lease          how long a claim holds without renewal
     */
    public FamilyClaims(Supplier<String> holderIdentity, Duration lease, Clock clock) {
        if (lease.compareTo(Duration.ofSeconds(2)) < 0) {
            throw new IllegalArgumentException("a claim lease must be at least 2 s, not " + lease);
        }
        this.holderIdentity = holderIdentity;
        this.lease = lease;
        this.clock = clock;
        long period = Math.max(500, lease.toMillis() / 4);
        renewals.scheduleWithFixedDelay(this::renewAll, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * The claims of this process when it is no pipeline (tests, benchmarks that call a service directly): one holder
     * for the whole process, which no other process has.
     */
    public static FamilyClaims ofThisProcess() {
        return ThisProcess.CLAIMS;
    }

    private static final class ThisProcess {
        static final FamilyClaims CLAIMS = new FamilyClaims(
                () -> "process " + ProcessHandle.current().pid() + " " + UUID.randomUUID(), Duration.ofMinutes(2), Clock.systemUTC());
    }

    public Duration lease() {
        return lease;
    }

    public String holder() {
        String current = holder;
        if (current == null) {
            synchronized (this) {
                if (holder == null) {
                    holder = holderIdentity.get();
                }
                current = holder;
            }
        }
        return current;
    }

    /**
     * Claims {@code family} in this cloud for as long as the returned hold is open (and renews it meanwhile).
     *
     * @throws HeldElsewhere another run holds a live claim on the family
     */
    public Hold hold(Glance glance, String family) throws HeldElsewhere {
        String key = glance.cloudName() + "/" + family;
        synchronized (lockFor(key)) {
            Claim claim = held.get(key);
            if (claim == null || claim.lost || !claim.leftAtLeast(clock.instant(), lease.dividedBy(2))) {
                claim = acquire(glance, family);
                held.put(key, claim);
            }
            claim.scopes++;
            return new Hold(claim);
        }
    }

    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    private Object lockFor(String key) {
        return locks.computeIfAbsent(key, k -> new Object());
    }

    private Claim acquire(Glance glance, String family) throws HeldElsewhere {
        String project = glance.projectId();
        String me = holder();
        long floor = 0; // terms at or below this are known to be taken (a 409 on an id no longer listed)
        for (int round = 0; round < MAX_TRIES; round++) {
            Instant now = clock.instant();
            List<ObservedImage> claims = claimImages(glance, project, family);
            Optional<ObservedImage> current = claims.stream().max(Comparator.comparingLong(FamilyClaims::term));
            if (current.isPresent()) {
                Optional<Claim> ours = oursOrRefuse(glance, family, current.get(), me, now);
                if (ours.isPresent()) {
                    return ours.get();
                }
            }
            long next = Math.max(floor, current.map(FamilyClaims::term).orElse(0L)) + 1;
            String id = claimId(project, family, next);
            Instant until = now.plus(lease).truncatedTo(ChronoUnit.SECONDS);
            if (glance.createIfAbsent(claimImage(id, family, next, me, until))) {
                LOG.info("cloud={} image={}: claimed (term {}, until {})", glance.cloudName(), family, next, until);
                for (ObservedImage older : claims) {
                    deleteQuietly(glance, older.id()); // their holders' time is up; the new term is listed instead
                }
                return new Claim(glance, family, id, next, until);
            }
            // Someone holds this term, or held it and it was deleted since. Asked by id, not by a new listing: Glance
            // sets an image's tags in a step of its own after creating it, so a claim won a moment ago can be missing
            // from a listing by tag, but never from a GET (a 409 means the row is there).
            Optional<ObservedImage> winner = glance.get(id);
            if (winner.isPresent()) {
                Optional<Claim> ours = oursOrRefuse(glance, family, winner.get(), me, clock.instant());
                if (ours.isPresent()) {
                    return ours.get();
                }
            }
            floor = next; // deleted (an old term) or already expired: the next round tries the term after it
        }
        throw new GlanceException("cloud '" + glance.cloudName() + "': cannot claim image '" + family + "' after "
                + MAX_TRIES + " tries (claims keep changing hands)", 0);
    }

    /**
     * The current claim image of the family: this pipeline's (renewed, and returned), another run's live one
     * (refused), or one that has run out (empty: the caller opens the next term).
     */
    private Optional<Claim> oursOrRefuse(Glance glance, String family, ObservedImage claim, String me, Instant now)
            throws HeldElsewhere {
        Instant until = expiry(claim);
        if (sameHolder(me, claim.property(HOLDER))) {
            Claim ours = new Claim(glance, family, claim.id(), term(claim), until);
            renew(ours);
            return Optional.of(ours);
        }
        if (until.isAfter(now)) {
            throw new HeldElsewhere(family, String.valueOf(claim.property(HOLDER)), until);
        }
        return Optional.empty();
    }

    /**
     * The live claims in this cloud's project, by family: who holds each and until when (one listing). The planner
     * asks before it plans: a family another run holds is left to it, and a running import of a family nobody holds
     * is the remains of a run that died.
     */
    public Map<String, Live> liveClaims(Glance glance) {
        String project = glance.projectId();
        Instant now = clock.instant();
        Map<String, ObservedImage> current = new java.util.HashMap<>();
        for (ObservedImage image : projectClaimImages(glance, project)) {
            String family = image.property(FAMILY);
            if (family != null) {
                current.merge(family, image, (a, b) -> term(a) >= term(b) ? a : b);
            }
        }
        Map<String, Live> live = new java.util.TreeMap<>();
        current.forEach((family, claim) -> {
            Instant until = expiry(claim);
            if (until.isAfter(now)) {
                live.put(family, new Live(String.valueOf(claim.property(HOLDER)), until, sameHolder(holder(), claim.property(HOLDER))));
            }
        });
        return live;
    }

    /** A live claim: its holder, its expiry, and whether that holder is this pipeline. */
    public record Live(String holder, Instant until, boolean ours) {
        public String describe() {
            return "held by another run (" + holder + ") until " + until;
        }
    }

    /** The family's claim images of this project (an admin lists other projects' too). */
    private static List<ObservedImage> claimImages(Glance glance, String project, String family) {
        return projectClaimImages(glance, project).stream().filter(image -> family.equals(image.property(FAMILY))).toList();
    }

    /** The claim images of this project (an admin lists other projects' too). */
    private static List<ObservedImage> projectClaimImages(Glance glance, String project) {
        return glance.listImages(TAG).stream()
                .filter(image -> project == null || image.owner() == null || project.equals(image.owner()))
                .toList();
    }

    /**
     * Whether two holder strings name the same pipeline: what follows {@code " ("} only informs (the host and process
     * that wrote it), since every process of one pipeline holds its claims together.
     */
    static boolean sameHolder(String a, String b) {
        return a != null && b != null && identity(a).equals(identity(b));
    }

    private static String identity(String holder) {
        int info = holder.indexOf(" (");
        return info < 0 ? holder : holder.substring(0, info);
    }

    static String claimId(String project, String family, long term) {
        return UUID.nameUUIDFromBytes(("image-manager claim\0" + project + "\0" + family + "\0" + term)
                .getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static Map<String, Object> claimImage(String id, String family, long term, String holder, Instant until) {
        Map<String, Object> image = new LinkedHashMap<>();
        image.put("id", id);
        String name = "image-manager claim: " + family;
        image.put("name", name.length() > MAX_NAME ? name.substring(0, MAX_NAME) : name);
        image.put("container_format", "bare");
        image.put("disk_format", "raw");
        image.put("visibility", "private");
        image.put("os_hidden", true);
        image.put("tags", List.of(TAG));
        image.put(FAMILY, family);
        image.put(TERM, String.valueOf(term));
        image.put(HOLDER, holder.length() > MAX_NAME ? holder.substring(0, MAX_NAME) : holder);
        image.put(EXPIRES, until.toString());
        return image;
    }

    private static long term(ObservedImage claim) {
        try {
            return Long.parseLong(claim.property(TERM));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** A claim whose expiry cannot be read holds nothing (only a hand-edited one could look like that). */
    private static Instant expiry(ObservedImage claim) {
        try {
            return Instant.parse(claim.property(EXPIRES));
        } catch (DateTimeParseException | NullPointerException e) {
            return Instant.EPOCH;
        }
    }

    private void renew(Claim claim) {
        Instant until = clock.instant().plus(lease).truncatedTo(ChronoUnit.SECONDS);
        try {
            claim.glance.setProperties(claim.imageId, Map.of(EXPIRES, until.toString()));
            claim.until = until;
        } catch (GlanceException e) {
            if (e.status() == 404) {
                LOG.warn("cloud={} image={}: the claim image {} is gone: claim lost", claim.glance.cloudName(),
                        claim.family, claim.imageId);
                claim.lost = true;
            } else {
                LOG.warn("cloud={} image={}: cannot renew the claim: {}", claim.glance.cloudName(), claim.family, e.getMessage());
            }
        }
    }

    /** Renews every claim that is being worked under; a claim nobody works under just runs out. */
    private void renewAll() {
        for (Claim claim : held.values()) {
            try {
                synchronized (lockFor(claim.glance.cloudName() + "/" + claim.family)) {
                    if (claim.scopes > 0 && !claim.lost) {
                        renew(claim);
                    }
                }
            } catch (RuntimeException e) {
                LOG.warn("renewing claims: {}", e.toString());
            }
        }
    }

    /** Releases every claim held here (its expiry becomes now): the next run need not wait out the lease. */
    @Override
    public void close() {
        renewals.shutdownNow();
        for (Claim claim : new ArrayList<>(held.values())) {
            if (claim.lost) {
                continue;
            }
            try {
                claim.glance.setProperties(claim.imageId, Map.of(EXPIRES, clock.instant().truncatedTo(ChronoUnit.SECONDS).toString()));
                LOG.info("cloud={} image={}: claim released", claim.glance.cloudName(), claim.family);
            } catch (RuntimeException e) {
                LOG.warn("cloud={} image={}: cannot release the claim (it expires by itself at {}): {}",
                        claim.glance.cloudName(), claim.family, claim.until, e.getMessage());
            }
        }
        held.clear();
    }

    private static void deleteQuietly(Glance glance, String id) {
        try {
            glance.delete(id);
        } catch (RuntimeException e) {
            LOG.debug("cannot delete the expired claim image {}: {}", id, e.toString());
        }
    }

    /** One family's claim in one cloud, as this process knows it. Guarded by the family's lock. */
    private static final class Claim {
        final Glance glance;
        final String family;
        final String imageId;
        final long term;
        volatile Instant until;
        volatile boolean lost;
        int scopes;

        Claim(Glance glance, String family, String imageId, long term, Instant until) {
            this.glance = glance;
            this.family = family;
            this.imageId = imageId;
            this.term = term;
            this.until = until;
        }

        boolean leftAtLeast(Instant now, Duration margin) {
            return until.minus(margin).isAfter(now);
        }
    }

    /** Work under a family's claim; closing it ends this piece of work (the claim itself runs on until released). */
    public final class Hold implements AutoCloseable {
        private final Claim claim;
        private boolean closed;

        private Hold(Claim claim) {
            this.claim = claim;
        }

        /**
         * Right before a step that creates an image or moves a name: the claim is still ours with at least half a
         * lease to go (renewed now if less is left).
         *
         * @throws HeldElsewhere the claim was lost (it ran out while this run was stalled, and another run took it)
         */
        public void confirm() throws HeldElsewhere {
            synchronized (lockFor(claim.glance.cloudName() + "/" + claim.family)) {
                if (!claim.lost && !claim.leftAtLeast(clock.instant(), lease.dividedBy(2))) {
                    if (claim.until.isAfter(clock.instant())) {
                        renew(claim);
                    } else {
                        claim.lost = true; // it ran out: another run may hold it by now
                    }
                }
                if (claim.lost) {
                    throw new HeldElsewhere(claim.family, "unknown (this run's claim ran out)", claim.until);
                }
            }
        }

        public String imageId() {
            return claim.imageId;
        }

        public long term() {
            return claim.term;
        }

        @Override
        public void close() {
            synchronized (lockFor(claim.glance.cloudName() + "/" + claim.family)) {
                if (!closed) {
                    closed = true;
                    claim.scopes--;
                }
            }
        }
    }

    /** Another run holds the family's claim in this cloud: leave the family alone this round. */
    public static final class HeldElsewhere extends Exception {
        private final String holder;
        private final Instant until;

        public HeldElsewhere(String family, String holder, Instant until) {
            super("image '" + family + "' is claimed by another run (" + holder + ") until " + until);
            this.holder = holder;
            this.until = until;
        }

        public String holder() {
            return holder;
        }

        public Instant until() {
            return until;
        }
    }
}
