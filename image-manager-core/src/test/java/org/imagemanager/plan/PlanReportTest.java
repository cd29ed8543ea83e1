package org.imagemanager.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.imagemanager.definition.ImageDefinition;
import org.imagemanager.fixtures.FakeCloud;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.imagemanager.fixtures.ObservedImageBuilder.observed;
import static org.imagemanager.fixtures.RealDefinitions.FLATCAR;
import static org.imagemanager.fixtures.RealDefinitions.UBUNTU;
import static org.imagemanager.fixtures.RealDefinitions.flatcar;
import static org.imagemanager.fixtures.RealDefinitions.ubuntu;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The plan for people (a table, one row per action) and for programs (JSON), and the age report. */
class PlanReportTest {
    private static final Instant NOW = Instant.parse("2024-06-15T12:00:00Z");
    private static final PlanOptions OPTIONS = PlanOptions.defaults("prod", NOW);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FakeCloud cloud = new FakeCloud(NOW);
    private Plan plan;

    /** A plan with an import, a blocked import, a rotation, a visibility change, a retirement and a blocked delete. */
    @BeforeEach
    void aBusyRound() {
        cloud.converge(List.of(ubuntu("20240416", "20240422").build(), flatcar("3815.2.0").build()), OPTIONS);
        ImageDefinition ubuntu = ubuntu("20240422", "20240501").meta("uuid_validity", "last-1").build();
        cloud.apply(cloud.plan(List.of(ubuntu, flatcar("3815.2.0").build()), OPTIONS)); // 20240501 imported
        cloud.add(observed("hand-1", "Flatcar 3975.2.1").unmanaged().build());
        plan = cloud.plan(List.of(ubuntu, flatcar("3815.2.0", "3975.2.1", "4081.2.0").build()),
                PlanOptions.builder("prod", NOW).hide(true).delete(true, false).build());
    }

    private static List<String> lines(String table) {
        return table.lines().toList();
    }

    @Test
    void theTableHasAHeaderAndOneRowPerAction() {
        List<String> lines = lines(PlanReport.table(plan));

        assertTrue(lines.getFirst().matches("CLOUD +IMAGE +ACTION +FROM +TO +REASON"), lines.getFirst());
        assertEquals(plan.actions().size(), lines.size() - 1, () -> String.join("\n", lines));
        assertTrue(plan.actions().size() >= 5, () -> plan.actions().toString());
    }

    @Test
    void aRenameRowShowsTheImageFromToAndReason() {
        String row = rowFor("rename", "Ubuntu 24.04 (20240501)");

        assertTrue(row.matches("prod +Ubuntu 24\\.04 \\(20240501\\) +rename +Ubuntu 24\\.04 \\(20240501\\) +Ubuntu 24\\.04 +naming rule"),
                row);
    }

    @Test
    void theRenameAwayRowComesBeforeTheRenameToRow() {
        List<String> lines = lines(PlanReport.table(plan));
        int away = indexOf(lines, "rename", UBUNTU);
        int to = indexOf(lines, "rename", "Ubuntu 24.04 (20240501)");

        assertTrue(away > 0 && to > away, () -> String.join("\n", lines));
    }

    @Test
    void aRetirementRowShowsTheVisibilityChangeAndWhy() {
        String row = rowFor("visibility", "community");

        assertTrue(row.contains("Ubuntu 24.04 (20240416)") && row.contains("public") && row.contains("retired (hide)"), row);
    }

    @Test
    void aBlockedRowSaysBlockedAndWhy() {
        String deleteRow = rowFor("BLOCKED", "not deleted: --delete needs");
        String importRow = rowFor("BLOCKED", "hand-1");

        assertTrue(deleteRow.contains("Ubuntu 24.04 (20240416)"), deleteRow);
        assertTrue(importRow.contains("Flatcar 3975.2.1"), importRow);
    }

    @Test
    void everyRowNamesTheImageTheActionAndAReason() {
        for (PlanReport.Row row : PlanReport.rows(plan)) {
            assertFalse(row.image().isBlank(), row::toString);
            assertFalse(row.action().isBlank(), row::toString);
            assertFalse(row.reason().isBlank(), row::toString);
            assertEquals("prod", row.cloud());
        }
    }

    @Test
    void aRunningImportIsShownAsAWaitRow() {
        FakeCloud importing = new FakeCloud(NOW);
        importing.apply(importing.plan(List.of(flatcar("3975.2.1").build()), OPTIONS), "importing");

        List<PlanReport.Row> rows = PlanReport.rows(importing.plan(List.of(flatcar("3975.2.1").build()), OPTIONS));

        assertEquals(List.of(new PlanReport.Row("prod", FLATCAR, "Flatcar 3975.2.1", "wait", "", "", "import in progress")),
                rows);
    }

    @Test
    void anInLineCloudSaysSo() {
        FakeCloud inLine = new FakeCloud(NOW);
        Plan converged = inLine.converge(List.of(flatcar("3975.2.1").build()), OPTIONS);

        assertEquals("cloud prod: in line, nothing to do\n", PlanReport.table(converged));
    }

    @Test
    void theJsonIsParseableAndHoldsEveryActionAndRow() throws Exception {
        JsonNode json = JSON.readTree(PlanReport.json(plan));

        assertEquals("prod", json.get("cloud").asText());
        assertFalse(json.get("inLine").asBoolean());
        JsonNode actions = json.get("actions");
        assertEquals(plan.actions().size(), actions.size());
        for (int i = 0; i < actions.size(); i++) {
            assertEquals(plan.actions().get(i).actionId(), actions.get(i).get("actionId").asText());
            assertEquals(plan.actions().get(i).family(), actions.get(i).get("family").asText());
        }
        assertEquals(PlanReport.rows(plan).size(), json.get("rows").size());
        assertTrue(java.util.stream.StreamSupport.stream(json.get("rows").spliterator(), false)
                .anyMatch(row -> row.get("action").asText().equals("rename")), "a rename row");
    }

    @Test
    void everyActionInTheJsonCarriesItsType() throws Exception {
        JsonNode actions = JSON.readTree(PlanReport.json(plan)).get("actions");

        List<String> types = new ArrayList<>();
        for (int i = 0; i < actions.size(); i++) {
            JsonNode node = actions.get(i);
            assertEquals(plan.actions().get(i).getClass().getSimpleName() + ".v1", node.path("type").asText(), node::toString);
            types.add(node.get("type").asText());
        }
        assertTrue(new TreeSet<>(types).containsAll(Set.of("ImportImage.v1", "RenameImage.v1", "SetVisibility.v1",
                "Blocked.v1")), types::toString);
    }

    @Test
    void theJsonOfAnInLineCloudSaysInLine() throws Exception {
        FakeCloud inLine = new FakeCloud(NOW);
        Plan converged = inLine.converge(List.of(flatcar("3975.2.1").build()), OPTIONS);

        JsonNode json = JSON.readTree(PlanReport.json(converged));

        assertTrue(json.get("inLine").asBoolean());
        assertEquals(0, json.get("actions").size());
    }

    @Test
    void theAgeReportListsDefinitionsWhoseNewestBuildIsTooOld() throws Exception {
        PlanOptions maxAge = OPTIONS.toBuilder().maxAge(Duration.ofDays(30)).build();
        ImageDefinition oldUbuntu = ubuntu("20240416", "20240422").build();
        ImageDefinition freshFlatcar = flatcar("3975.2.1").version(org.imagemanager.fixtures.VersionBuilder
                .version("4081.2.0").buildDate("2024-06-01")).build();

        Plan aged = Reconciler.plan(List.of(oldUbuntu, freshFlatcar), List.of(), maxAge);

        assertEquals(List.of(new AgeReport.Finding(UBUNTU, LocalDate.of(2024, 4, 22), 54, 30)), aged.ageReport());
        assertTrue(PlanReport.table(aged).contains("AGE  Ubuntu 24.04: newest build 2024-04-22 is 54 days old (max 30)"),
                PlanReport.table(aged));
        assertEquals(UBUNTU, JSON.readTree(PlanReport.json(aged)).get("ageReport").get(0).get("family").asText());
    }

    @Test
    void theAgeReportIsEmptyWithoutMaxAgeAndSkipsDisabledOrFilteredDefinitions() {
        ImageDefinition oldUbuntu = ubuntu("20240416").build();
        PlanOptions maxAge = OPTIONS.toBuilder().maxAge(Duration.ofDays(30)).build();

        assertEquals(List.of(), Reconciler.plan(List.of(oldUbuntu), List.of(), OPTIONS).ageReport());
        assertEquals(List.of(), Reconciler.plan(List.of(ubuntu("20240416").enable(false).build()), List.of(), maxAge).ageReport());
        assertEquals(List.of(), Reconciler.plan(List.of(oldUbuntu), List.of(),
                maxAge.toBuilder().filter(java.util.regex.Pattern.compile("Flatcar")).build()).ageReport());
    }

    @Test
    void aBuildExactlyMaxAgeOldIsNotReported() {
        PlanOptions maxAge = OPTIONS.toBuilder().maxAge(Duration.ofDays(60)).build();

        assertEquals(List.of(), Reconciler.plan(List.of(ubuntu("20240416").build()), List.of(), maxAge).ageReport());
        assertEquals(1, Reconciler.plan(List.of(ubuntu("20240415").build()), List.of(), maxAge).ageReport().size());
    }

    private String rowFor(String action, String containing) {
        return lines(PlanReport.table(plan)).stream()
                .filter(l -> l.contains("  " + action + "  ") && l.contains(containing)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + action + " row with '" + containing + "' in\n"
                        + PlanReport.table(plan)));
    }

    private static int indexOf(List<String> lines, String action, String fromImage) {
        for (int i = 0; i < lines.size(); i++) {
            String[] cells = lines.get(i).split(" {2,}");
            if (cells.length > 2 && cells[1].equals(fromImage) && cells[2].equals(action)) {
                return i;
            }
        }
        return -1;
    }
}
