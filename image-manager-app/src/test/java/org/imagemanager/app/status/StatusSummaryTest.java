package org.imagemanager.app.status;

import org.imagemanager.app.status.StatusReport.CloudStatus;
import org.imagemanager.app.status.StatusReport.RunningImport;
import org.imagemanager.definition.DefinitionError;
import org.imagemanager.event.DefinitionsPublished;
import org.imagemanager.event.DefinitionsRejected;
import org.imagemanager.event.FailureReason;
import org.imagemanager.event.ImageChanged;
import org.imagemanager.event.ImageEvent;
import org.imagemanager.event.ImportCompleted;
import org.imagemanager.event.ImportFailed;
import org.imagemanager.event.ImportProgress;
import org.imagemanager.event.ImportStarted;
import org.imagemanager.event.PlanComputed;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StatusSummaryTest {
    private static final Instant T = Instant.parse("2024-05-01T12:00:00Z");

    @Test
    void shouldKeepTheLastPlanOfEveryFamilyPerCloud() {
        StatusReport report = StatusSummary.of(List.of(
                plan(0, "dev", "Debian 12", List.of("import-1"), List.of(), 1),
                plan(1, "prod", "Debian 12", List.of(), List.of(), 3),
                plan(2, "dev", "Alpine", List.of(), List.of(), 2),
                plan(3, "dev", "Debian 12", List.of(), List.of("Debian 12 (2)"), 1)));

        assertEquals(List.of("dev", "prod"), report.clouds().stream().map(CloudStatus::cloud).toList());
        CloudStatus dev = report.clouds().getFirst();
        assertEquals(List.of("Alpine", "Debian 12"), dev.plans().stream().map(PlanComputed::family).toList());
        assertEquals(at(3), dev.plans().get(1).time());
        assertEquals(List.of("Debian 12 (2)"), dev.plans().get(1).inProgress());
        assertEquals(4, report.events());
    }

    @Test
    void shouldShowAStartedImportWithItsLatestProgressUntilItHasAnOutcome() {
        StatusReport report = StatusSummary.of(List.of(
                started(0, "dev", "Debian 12", "import-1", 1),
                progress(1, "dev", "Debian 12", "import-1", 50, 200),
                progress(2, "dev", "Debian 12", "import-1", 150, 200),
                started(3, "dev", "Alpine", "import-2", 1),
                completed(4, "dev", "Alpine", "import-2")));

        List<RunningImport> running = report.clouds().getFirst().running();
        assertEquals(1, running.size());
        RunningImport r = running.getFirst();
        assertEquals("Debian 12 (2)", r.imageName());
        assertEquals("2", r.version());
        assertEquals(75, r.percent());
        assertEquals(150, r.bytes());
        assertEquals(at(0), r.started());
        assertEquals(at(2), r.updated());
        assertEquals(1, r.attempt());
    }

    @Test
    void shouldShowProgressWhoseStartIsNoLongerOnTheTopicWithoutAVersion() {
        StatusReport report = StatusSummary.of(List.of(progress(0, "dev", "Debian 12", "import-1", 10, -1)));

        RunningImport r = report.clouds().getFirst().running().getFirst();
        assertNull(r.version());
        assertNull(r.started());
        assertEquals(-1, r.percent(), "no size, no percentage");
    }

    @Test
    void shouldCountAFailedImportAsFailedNotRunning() {
        StatusReport report = StatusSummary.of(List.of(
                started(0, "dev", "Debian 12", "import-1", 3),
                failed(1, "dev", "Debian 12", "import-1", FailureReason.CHECKSUM_MISMATCH)));

        CloudStatus dev = report.clouds().getFirst();
        assertEquals(List.of(), dev.running());
        assertEquals(FailureReason.CHECKSUM_MISMATCH, dev.failures().getFirst().reason());
    }

    @Test
    void shouldShowARetriedImportAsRunningAgain() {
        StatusReport report = StatusSummary.of(List.of(
                failed(0, "dev", "Debian 12", "import-1", FailureReason.SOURCE_UNREACHABLE),
                started(1, "dev", "Debian 12", "import-1", 1)));

        CloudStatus dev = report.clouds().getFirst();
        assertEquals(List.of("import-1"), dev.running().stream().map(RunningImport::actionId).toList());
        assertEquals(1, dev.failures().size(), "it failed, and nothing of the family has completed since");
    }

    @Test
    void shouldForgetTheFailuresOfAFamilyOnceAnImportOfItCompletes() {
        StatusReport report = StatusSummary.of(List.of(
                failed(0, "dev", "Debian 12", "import-1", FailureReason.SOURCE_UNREACHABLE),
                failed(1, "dev", "Debian 12", "import-1", FailureReason.SOURCE_HTTP_STATUS),
                failed(2, "dev", "Alpine", "import-3", FailureReason.NAME_TAKEN),
                failed(3, "prod", "Debian 12", "import-4", FailureReason.GLANCE_REJECTED),
                completed(4, "dev", "Debian 12", "import-2")));

        assertEquals(List.of(FailureReason.NAME_TAKEN),
                report.clouds().get(0).failures().stream().map(ImportFailed::reason).toList());
        assertEquals(List.of(FailureReason.GLANCE_REJECTED), report.clouds().get(1).failures().stream()
                .map(ImportFailed::reason).toList(), "another cloud's family is another family");
    }

    @Test
    void shouldKeepOnlyTheLastFailureOfOneAction() {
        StatusReport report = StatusSummary.of(List.of(
                failed(0, "dev", "Debian 12", "import-1", FailureReason.SOURCE_UNREACHABLE),
                failed(1, "dev", "Debian 12", "import-1", FailureReason.CHECKSUM_MISMATCH)));

        assertEquals(List.of(FailureReason.CHECKSUM_MISMATCH),
                report.clouds().getFirst().failures().stream().map(ImportFailed::reason).toList());
    }

    @Test
    void shouldShowTheLastPublicationPerSourceAndARejectionOnlyUntilTheNextPublication() {
        DefinitionError error = new DefinitionError("images/a.yml", 3, 7, "images[0].format", "expected qcow2 or raw");
        StatusReport report = StatusSummary.of(List.of(
                new DefinitionsPublished("e1", at(0), "team-a", "c1", List.of("A", "B")),
                new DefinitionsRejected("e2", at(1), "team-a", "c2", List.of(error)),
                new DefinitionsPublished("e3", at(2), "team-b", "d1", List.of("C")),
                new DefinitionsRejected("e4", at(3), "team-b", "d2", List.of(error)),
                new DefinitionsPublished("e5", at(4), "team-b", "d3", List.of("C")),
                new DefinitionsRejected("e6", at(5), "team-c", "x1", List.of(error))));

        assertEquals(List.of("team-a", "team-b", "team-c"), report.definitions().stream().map(StatusReport.SourceStatus::source).toList());
        assertEquals("c1", report.definitions().get(0).lastPublished().commit());
        assertEquals("c2", report.definitions().get(0).rejected().commit());
        assertEquals("d3", report.definitions().get(1).lastPublished().commit());
        assertNull(report.definitions().get(1).rejected(), "mended by a later publication");
        assertNull(report.definitions().get(2).lastPublished());
        assertEquals(List.of(error), report.definitions().get(2).rejected().errors());
        assertEquals(List.of(), report.clouds(), "definitions concern no single cloud");
    }

    @Test
    void shouldNarrowTheReportToOneCloudButKeepTheDefinitions() {
        StatusReport report = StatusSummary.of(List.of(
                new DefinitionsPublished("e1", at(0), "team-a", "c1", List.of("A")),
                plan(1, "dev", "A", List.of(), List.of(), 1),
                plan(2, "prod", "A", List.of(), List.of(), 1))).only("prod");

        assertEquals(List.of("prod"), report.clouds().stream().map(CloudStatus::cloud).toList());
        assertEquals(1, report.definitions().size());
    }

    @Test
    void shouldIgnoreChangesAndSkipsWhichNeedNoAttention() {
        StatusReport report = StatusSummary.of(List.<ImageEvent>of(new ImageChanged("e", at(0), "dev", "A", "rename-1",
                ImageChanged.Change.RENAMED, "id-1", "A", "A (1)", "A")));

        assertEquals(List.of(), report.clouds());
        assertTrue(report.definitions().isEmpty());
    }

    // ---- events ------------------------------------------------------------------------------------------------

    static Instant at(int seconds) {
        return T.plusSeconds(seconds);
    }

    static PlanComputed plan(int s, String cloud, String family, List<String> actions, List<String> inProgress, int unchanged) {
        return new PlanComputed("p" + s, at(s), cloud, family, actions, actions, inProgress, unchanged);
    }

    static ImportStarted started(int s, String cloud, String family, String actionId, int attempt) {
        return new ImportStarted("s" + s, at(s), cloud, family, actionId, "2", family + " (2)", "upload",
                "http://files/" + family, attempt);
    }

    static ImportProgress progress(int s, String cloud, String family, String actionId, long bytes, long total) {
        return new ImportProgress("g" + s, at(s), cloud, family, actionId, family + " (2)", bytes, total, 10, total > 0 ? 5 : -1);
    }

    static ImportCompleted completed(int s, String cloud, String family, String actionId) {
        return new ImportCompleted("c" + s, at(s), cloud, family, actionId, "2", "id-" + s, family + " (2)", "sha256:aa",
                100, false, "bb", "upload", "http://files/" + family, 1000);
    }

    static ImportFailed failed(int s, String cloud, String family, String actionId, FailureReason reason) {
        return new ImportFailed("f" + s, at(s), cloud, family, actionId, "2", family + " (2)", reason, "sha256:aa",
                "sha256:bb", "the source's digest differs");
    }
}
