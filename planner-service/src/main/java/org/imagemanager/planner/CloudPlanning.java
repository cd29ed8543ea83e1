package org.imagemanager.planner;

import org.imagemanager.claim.FamilyClaims;
import org.imagemanager.cloud.Clouds;
import org.imagemanager.definition.ImageDefinition;
import org.imagemanager.glance.Glance;
import org.imagemanager.plan.FamilyPlan;
import org.imagemanager.plan.ObservedImage;
import org.imagemanager.plan.Plan;
import org.imagemanager.plan.PlanOptions;
import org.imagemanager.plan.Reconciler;
import org.imagemanager.source.UpstreamResolver;

import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The inputs of one cloud's plan, assembled in one place: its images (one listing), the family claims, its options
 * (its own over the common ones), every definition as this cloud applies it, upstream's newest builds and the
 * families whose last import failed. The planner service plans with it, and so do {@code plan}, {@code sync
 * --dry-run} and {@code sync}'s look before it starts anything: they cannot disagree.
 */
public final class CloudPlanning {
    private final Clouds clouds;
    private final PlannerSettings settings;
    private final UpstreamResolver upstream;
    private final FamilyClaims claims;
    private final Clock clock;

    public CloudPlanning(Clouds clouds, PlannerSettings settings, UpstreamResolver upstream, FamilyClaims claims, Clock clock) {
        this.clouds = clouds;
        this.settings = settings;
        this.upstream = upstream;
        this.claims = claims;
        this.clock = clock;
    }

    /**
     * One cloud's plan of some families, and the claims found on them.
     *
     * @param wanted the definitions of the families asked for (those that exist)
     * @param live   the families' live claims (ours or another run's), by family
     */
    public record Planned(String cloud, Plan plan, List<ImageDefinition> wanted, Map<String, FamilyClaims.Live> live) {
        /** The family's plan (empty when nothing is to be done), or empty when another run holds its claim. */
        public Optional<FamilyPlan> of(String family) {
            FamilyClaims.Live claim = live.get(family);
            if (claim != null && !claim.ours()) {
                return Optional.empty();
            }
            return Optional.of(plan.family(family).orElse(new FamilyPlan(cloud, family, List.of(), List.of(), 0)));
        }

        /** Whether nothing is to be done for any family asked for (another run's claim counts as nothing). */
        public boolean inLine() {
            return wanted.stream().allMatch(d -> of(d.name()).map(p -> p.actions().isEmpty()).orElse(true));
        }

        /** The plan as the planner publishes it: without the families another run holds. */
        public Plan effective() {
            return new Plan(cloud, plan.families().stream().filter(f -> of(f.family()).isPresent()).toList(), plan.ageReport());
        }

        /** Whether an import is planned (the mirror is needed). */
        public boolean importsPlanned() {
            return effective().families().stream().flatMap(f -> f.actions().stream())
                    .anyMatch(org.imagemanager.event.ImportImage.class::isInstance);
        }

        /** Images already as their definitions want them, over the families asked for. */
        public int unchanged() {
            return wanted.stream().flatMap(d -> of(d.name()).stream()).mapToInt(FamilyPlan::unchanged).sum();
        }

        /** The families another run holds, and why (the claim's holder and lease). */
        public Map<String, String> leftAlone() {
            Map<String, String> families = new java.util.TreeMap<>();
            live.forEach((family, claim) -> {
                if (!claim.ours() && wanted.stream().anyMatch(d -> d.name().equals(family))) {
                    families.put(family, claim.describe());
                }
            });
            return families;
        }
    }

    /**
     * Plans {@code families} of {@code cloud}. Throws what the cloud throws (a listing, Keystone for the options):
     * the caller decides whether that ends a run or skips the cloud until the next trigger.
     *
     * @param definitions   every definition in force (the core needs them all to tell whose images are whose)
     * @param failedImports families of this cloud whose last import failed (no retirement for them meanwhile)
     */
    public Planned plan(String cloud, Map<String, ImageDefinition> definitions, Collection<String> families,
                        Set<String> failedImports) {
        List<ImageDefinition> wanted = families.stream().map(definitions::get).filter(Objects::nonNull).toList();
        if (wanted.isEmpty()) {
            return new Planned(cloud, new Plan(cloud, List.of(), List.of()), wanted, Map.of());
        }
        Glance glance = clouds.glance(cloud);
        List<ObservedImage> observed = glance.observedForPlanning(settings.managementTag(), wanted);
        // after the images: an import seen running whose family has no live claim now is truly dead
        Map<String, FamilyClaims.Live> live = claims.liveClaims(glance);
        // the options ask Keystone too (projects to share with): a failure there is the cloud's, like a listing
        PlanOptions options = settings.options(cloud, clock.instant(), glance.projectId());
        CloudOptions cloudOptions = settings.cloudOptions(cloud);
        List<ImageDefinition> all = definitions.values().stream().map(cloudOptions::apply).toList();
        Set<String> unclaimed = wanted.stream().map(ImageDefinition::name).filter(name -> !live.containsKey(name))
                .collect(Collectors.toSet());
        Plan plan = Reconciler.plan(all, observed, options,
                new Reconciler.Inputs(upstream.resolve(wanted), Set.copyOf(failedImports), unclaimed));
        return new Planned(cloud, plan, wanted, live);
    }
}
