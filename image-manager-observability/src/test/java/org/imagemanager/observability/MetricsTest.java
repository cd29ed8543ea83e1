package org.imagemanager.observability;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.imagemanager.event.FailureReason;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The facade's meters as Prometheus scrapes them: the names and tags the README promises. */
class MetricsTest {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Metrics metrics = new Metrics(registry);

    @Test
    void importsAreCountedWithTheirCloudMethodBytesDurationAndFailureReason() {
        metrics.importStarted("dev", "upload");
        metrics.importStarted("dev", "upload");
        metrics.importCompleted("dev", "upload", 16_777_216, Duration.ofSeconds(42));
        metrics.importFailed("dev", Metrics.NO_METHOD, FailureReason.NAME_TAKEN);

        String text = registry.scrape(MetricsController.CONTENT_TYPE);

        assertLine(text, "image_manager_imports_started_total{cloud=\"dev\",method=\"upload\"} 2");
        assertLine(text, "image_manager_imports_completed_total{cloud=\"dev\",method=\"upload\"} 1");
        assertLine(text, "image_manager_import_bytes_total{cloud=\"dev\",method=\"upload\"} 1.6777216E7");
        assertLine(text, "image_manager_import_duration_seconds_count{cloud=\"dev\",method=\"upload\"} 1");
        assertLine(text, "image_manager_import_duration_seconds_sum{cloud=\"dev\",method=\"upload\"} 42");
        assertLine(text, "image_manager_import_duration_seconds_bucket{cloud=\"dev\",method=\"upload\",le=\"60.0\"} 1");
        assertLine(text, "image_manager_import_duration_seconds_bucket{cloud=\"dev\",method=\"upload\",le=\"30.0\"} 0");
        assertLine(text, "image_manager_imports_failed_total{cloud=\"dev\",method=\"none\",reason=\"NAME_TAKEN\"} 1");
    }

    @Test
    void plansDriftRotatorAndDefinitionsHaveTheirOwnSeries() {
        metrics.planComputed("dev", 3);
        metrics.planComputed("dev", 0);
        metrics.driftCorrected("dev", "SetVisibility");
        metrics.rotatorActionApplied("dev", "RenameImage");
        metrics.rotatorActionSkipped("dev", "SetTags");
        metrics.definitionsPublished("team-a");
        metrics.definitionsRejected("team-b");

        String text = registry.scrape(MetricsController.CONTENT_TYPE);

        assertLine(text, "image_manager_plan_actions_count{cloud=\"dev\"} 2");
        assertLine(text, "image_manager_plan_actions_sum{cloud=\"dev\"} 3");
        assertLine(text, "image_manager_drift_corrected_total{cloud=\"dev\",kind=\"SetVisibility\"} 1");
        assertLine(text, "image_manager_rotator_actions_applied_total{action=\"RenameImage\",cloud=\"dev\"} 1");
        assertLine(text, "image_manager_rotator_actions_skipped_total{action=\"SetTags\",cloud=\"dev\"} 1");
        assertLine(text, "image_manager_definitions_published_total{repository=\"team-a\"} 1");
        assertLine(text, "image_manager_definitions_rejected_total{repository=\"team-b\"} 1");
    }

    @Test
    void theJvmComesAlongInTheServicesRegistry() {
        String text = new MeterRegistryFactory().prometheusRegistry().scrape(MetricsController.CONTENT_TYPE);

        assertTrue(text.contains("\njvm_memory_used_bytes{"), text);
        assertTrue(text.contains("\nprocess_uptime_seconds "), text);
    }

    /** A sample line, whatever number format the client picks for the value (2 or 2.0). */
    private static void assertLine(String text, String line) {
        int space = line.lastIndexOf(' ');
        String series = line.substring(0, space + 1);
        double expected = Double.parseDouble(line.substring(space + 1));
        boolean found = text.lines().filter(l -> l.startsWith(series))
                .anyMatch(l -> Double.parseDouble(l.substring(series.length()).split(" ")[0]) == expected);
        assertTrue(found, "no line " + line + " in:\n" + text);
    }
}
