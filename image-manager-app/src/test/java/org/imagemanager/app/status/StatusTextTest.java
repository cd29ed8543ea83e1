package org.imagemanager.app.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.imagemanager.definition.DefinitionError;
import org.imagemanager.event.DefinitionsPublished;
import org.imagemanager.event.DefinitionsRejected;
import org.imagemanager.event.FailureReason;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.imagemanager.app.status.StatusSummaryTest.at;
import static org.imagemanager.app.status.StatusSummaryTest.failed;
import static org.imagemanager.app.status.StatusSummaryTest.plan;
import static org.imagemanager.app.status.StatusSummaryTest.progress;
import static org.imagemanager.app.status.StatusSummaryTest.started;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StatusTextTest {
    private final StatusReport report = StatusSummary.of(List.of(
            new DefinitionsPublished("e1", at(0), "team-a", "0123456789abcdef0123", List.of("Alpine", "Debian 12")),
            new DefinitionsRejected("e2", at(1), "team-a", "fedcba9876543210", List.of(
                    new DefinitionError("images/debian.yml", 4, 13, "images[0].format", "expected one of [qcow2, raw], found 'iso'"))),
            plan(2, "dev", "Debian 12", List.of("import-1"), List.of(), 1),
            plan(3, "dev", "Alpine", List.of(), List.of(), 2),
            started(4, "dev", "Debian 12", "import-1", 2),
            progress(5, "dev", "Debian 12", "import-1", 3 * 1048576L, 12 * 1048576L),
            failed(6, "dev", "Alpine", "import-2", FailureReason.CHECKSUM_MISMATCH)));

    @Test
    void shouldPrintTheDefinitionsWithEveryErrorOfAnUnmendedRejection() {
        String text = StatusText.table(report);

        assertTrue(text.contains("  team-a  2024-05-01T12:00:00Z  0123456789ab  2       2        0"), text);
        assertTrue(text.contains("REJECTED team-a commit fedcba987654 at 2024-05-01T12:00:01Z, 1 error(s)"), text);
        assertTrue(text.contains("    images/debian.yml:4:13: images[0].format: expected one of [qcow2, raw], found 'iso'"), text);
    }

    @Test
    void shouldPrintPerCloudThePlansTheRunningImportsAndTheFailures() {
        String text = StatusText.table(report);

        assertTrue(text.contains("\ncloud dev\n"), text);
        assertTrue(text.contains("  Alpine     2024-05-01T12:00:03Z  0        0            2\n"), text);
        assertTrue(text.contains("  Debian 12  2024-05-01T12:00:02Z  1        0            1\n"), text);
        assertTrue(text.contains("  Debian 12 (2)  2        25% of 12.0 MiB  0.0 MiB/s  5 s  2024-05-01T12:00:05Z"), text);
        assertTrue(text.contains("  Alpine (2)  2024-05-01T12:00:06Z  CHECKSUM_MISMATCH  the source's digest differs "
                + "(expected sha256:aa, got sha256:bb)"), text);
    }

    @Test
    void shouldSaySoWhenThereIsNothing() {
        String text = StatusText.table(StatusSummary.of(List.of()));

        assertEquals("definitions\n  nothing published\n\nno cloud has been planned\n", text);
    }

    @Test
    void shouldWriteJsonThatProgramsCanWalk() throws Exception {
        JsonNode json = new ObjectMapper().readTree(StatusText.json(report));

        assertEquals("team-a", json.at("/definitions/0/source").asText());
        assertEquals("images[0].format", json.at("/definitions/0/rejected/errors/0/field").asText());
        assertEquals("dev", json.at("/clouds/0/cloud").asText());
        assertEquals(25, json.at("/clouds/0/running/0/percent").asInt());
        assertEquals("CHECKSUM_MISMATCH", json.at("/clouds/0/failures/0/reason").asText());
        assertEquals("2024-05-01T12:00:02Z", json.at("/clouds/0/plans/1/time").asText());
        assertEquals(7, json.at("/events").asInt());
    }
}
