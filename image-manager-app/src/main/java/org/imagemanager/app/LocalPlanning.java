package org.imagemanager.app;

import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.Environment;
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
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The command line's own look at the clouds ({@code plan}, {@code sync --dry-run}, and {@code sync} before it starts
 * anything): the planner service's {@link CloudPlanning}, with the pipeline's own properties (the flags, and what
 * the environment and configuration add, such as {@code image-manager.cloud-options.CLOUD.*}), and the failed
 * imports the pipeline's events record when its broker is given.
 */
final class LocalPlanning {
    private final CloudPlanning planning;
    private final Map<String, Set<String>> failedImports;

    private LocalPlanning(CloudPlanning planning, Map<String, Set<String>> failedImports) {
        this.planning = planning;
        this.failedImports = failedImports;
    }

    /**
     * @param properties the properties the pipeline would be started with
     * @param events     the broker and events topic of the pipeline whose failed imports count, or null
     */
    static LocalPlanning of(Map<String, Object> properties, EventsSource events) {
        try (ApplicationContext context = ApplicationContext.builder().deduceEnvironment(false).properties(properties).build()) {
            Environment environment = context.getEnvironment();
            environment.start(); // its property sources only: no bean, no broker
            String cloudList = environment.get("image-manager.clouds", String.class).orElse("");
            String tag = environment.get("image-manager.management-tag", String.class).orElse("managed_by_image_manager");
            Clouds clouds = new Clouds(environment.get("image-manager.clouds-file", String.class).orElse(""));
            PlannerSettings settings = new PlannerSettings(cloudList, tag, PlannerSettings.Options.from(environment),
                    environment, clouds);
            CloudPlanning planning = new CloudPlanning(clouds, settings, new UpstreamResolver(new SourceFetcher(), Duration.ZERO),
                    FamilyClaims.ofThisProcess(), Clock.systemUTC());
            return new LocalPlanning(planning, events == null ? Map.of() : events.failedImports());
        }
    }

    /** Every family of the snapshot in {@code cloud}; throws what the cloud throws. */
    CloudPlanning.Planned plan(String cloud, DefinitionSnapshot snapshot) {
        Map<String, ImageDefinition> definitions = new LinkedHashMap<>();
        for (LocatedDefinition located : snapshot.definitions()) {
            definitions.put(located.definition().name(), located.definition());
        }
        return planning.plan(cloud, definitions, definitions.keySet(), failedImports.getOrDefault(cloud, Set.of()));
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
