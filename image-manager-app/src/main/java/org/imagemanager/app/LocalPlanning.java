package org.imagemanager.app;

import org.imagemanager.app.status.EventsTopic;
import org.imagemanager.app.status.StatusReport;
import org.imagemanager.app.status.StatusSummary;
import org.imagemanager.claim.FamilyClaims;
import org.imagemanager.cloud.Clouds;
import org.imagemanager.definition.ImageDefinition;
import org.imagemanager.definition.LocatedDefinition;
import org.imagemanager.definitions.DefinitionSnapshot;
import org.imagemanager.event.ImportFailed;
import org.imagemanager.planner.CloudPlanning;
import org.imagemanager.planner.PlannerSettings;
import org.imagemanager.source.SourceFetcher;
import org.imagemanager.source.UpstreamResolver;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The command line's own look at the clouds ({@code plan}, {@code sync --dry-run}, and {@code sync} before it starts
 * anything): the planner service's {@link CloudPlanning}, with the pipeline's own properties (the flags, and what
 * the environment and configuration add, such as {@code image-manager.cloud-options.CLOUD.*}), and the failed
 * imports the pipeline's events record when its broker is given.
 */
final class LocalPlanning implements AutoCloseable {
    private final CloudPlanning planning;
    private final Clouds clouds;
    private final SourceFetcher upstreamSources;
    private final FamilyClaims claims;
    private final EventsSource events;
    private Map<String, Set<String>> failedImports;

    private LocalPlanning(CloudPlanning planning, Clouds clouds, SourceFetcher upstreamSources, FamilyClaims claims,
                          EventsSource events) {
        this.claims = claims;
        this.planning = planning;
        this.clouds = clouds;
        this.upstreamSources = upstreamSources;
        this.events = events;
    }

    /**
     * Authenticates to every cloud in the background while the definitions are read and checked: Keystone's answer
     * (a third of a second here) then costs a no-op sync nothing. A failure is left for {@link #plan} to report.
     */
    void connectAhead(List<String> targets) {
        for (String cloud : targets) {
            Thread.ofVirtual().name("connect-" + cloud).start(() -> {
                try {
                    clouds.glance(cloud).projectId();
                } catch (RuntimeException reportedByThePlan) {
                    // the plan asks again and reports it, naming the cloud
                }
            });
        }
    }

    /**
     * @param properties the properties the pipeline would be started with
     * @param events     the broker and events topic of the pipeline whose failed imports count, or null
     */
    static LocalPlanning of(Map<String, Object> properties, EventsSource events) {
        Function<String, Optional<String>> environment = pipelineProperties(properties);
        String cloudList = environment.apply("image-manager.clouds").orElse("");
        String tag = environment.apply("image-manager.management-tag").orElse("managed_by_image_manager");
        Clouds clouds = new Clouds(environment.apply("image-manager.clouds-file").orElse(""));
        PlannerSettings settings = new PlannerSettings(cloudList, tag, PlannerSettings.Options.from(environment),
                environment, clouds);
        SourceFetcher upstreamSources = new SourceFetcher();
        // this run's own claims: what it holds is ours when it plans again; closing releases them
        Duration lease = environment.apply("image-manager.claims.lease").map(org.imagemanager.config.Durations::parse)
                .orElse(Duration.ofMinutes(2));
        String holder = "sync " + ProcessHandle.current().pid() + " " + java.util.UUID.randomUUID();
        FamilyClaims claims = new FamilyClaims(() -> holder, lease, Clock.systemUTC());
        CloudPlanning planning = new CloudPlanning(clouds, settings, new UpstreamResolver(upstreamSources, Duration.ZERO),
                claims, Clock.systemUTC());
        return new LocalPlanning(planning, clouds, upstreamSources, claims, events);
    }

    /**
     * A property as the pipeline's context resolves it: its explicit properties, else a system property, else the
     * environment variable of that name (upper case, '.' and '-' as '_', the way Micronaut maps them). There is no
     * application.yml. A context of its own would scan the classpath for services: a third of a second of a no-op
     * sync.
     */
    static Function<String, Optional<String>> pipelineProperties(Map<String, Object> properties) {
        Map<String, String> environment = System.getenv();
        return key -> {
            Object given = properties.get(key);
            if (given != null) {
                return Optional.of(given instanceof java.util.Collection<?> list
                        ? list.stream().map(String::valueOf).collect(Collectors.joining(",")) : String.valueOf(given));
            }
            String system = System.getProperty(key);
            if (system != null) {
                return Optional.of(system);
            }
            return Optional.ofNullable(environment.get(key.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_')));
        };
    }

    /** Every family of the snapshot in {@code cloud}; throws what the cloud throws. */
    CloudPlanning.Planned plan(String cloud, DefinitionSnapshot snapshot) {
        return plan(cloud, snapshot, Set.of());
    }

    /** @param failedHere families of this cloud whose import failed in this run */
    synchronized CloudPlanning.Planned plan(String cloud, DefinitionSnapshot snapshot, Set<String> failedHere) {
        if (failedImports == null) {
            failedImports = events == null ? Map.of() : events.failedImports();
        }
        Set<String> failed = new java.util.HashSet<>(failedImports.getOrDefault(cloud, Set.of()));
        failed.addAll(failedHere);
        Map<String, ImageDefinition> definitions = new LinkedHashMap<>();
        for (LocatedDefinition located : snapshot.definitions()) {
            definitions.put(located.definition().name(), located.definition());
        }
        return planning.plan(cloud, definitions, definitions.keySet(), failed);
    }

    /** The clouds this look connects to (the in-process run acts through the same clients). */
    Clouds clouds() {
        return clouds;
    }

    /** This run's family claims (the in-process run holds them while it acts). */
    FamilyClaims claims() {
        return claims;
    }

    /**
     * Ends the connections of this look: the JVM would wait at exit (300 ms) for the HTTP clients' selector threads,
     * which sit in a native poll.
     */
    @Override
    public void close() {
        claims.close(); // released now, not left to run out: the next run need not wait for them
        clouds.close();
        upstreamSources.close();
    }

    /** A pipeline's events topic: the families whose last import failed there, per cloud (as its planner holds them). */
    record EventsSource(String bootstrapServers, String eventsTopic) {
        Map<String, Set<String>> failedImports() {
            StatusReport report = StatusSummary.of(EventsTopic.readIfThere(bootstrapServers, eventsTopic).events());
            return report.clouds().stream().collect(Collectors.toMap(StatusReport.CloudStatus::cloud,
                    c -> c.failures().stream().map(ImportFailed::family).collect(Collectors.toSet())));
        }
    }

    static List<String> families(DefinitionSnapshot snapshot) {
        return snapshot.definitions().stream().map(d -> d.definition().name()).toList();
    }
}
