package org.imagemanager.observability;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HealthReportTest {
    @Test
    void upWhileEveryCheckIsUpAndEachCheckShowsItsDetails() {
        HealthReport report = HealthReport.of(List.of(check("kafka", Health.up(Map.of("brokers", 1))),
                check("repositories", Health.up(Map.of("errors", Map.of("team-a", "connection refused"))))));

        assertTrue(report.up());
        assertEquals("{\"status\":\"UP\",\"checks\":{\"kafka\":{\"status\":\"UP\",\"details\":{\"brokers\":1}},"
                        + "\"repositories\":{\"status\":\"UP\",\"details\":{\"errors\":{\"team-a\":\"connection refused\"}}}}}",
                org.imagemanager.event.EventJson.encode(report.body()));
    }

    @Test
    void oneCheckDownOrThrowingMakesTheWholeDown() {
        assertFalse(HealthReport.of(List.of(check("kafka", Health.down(Map.of())), check("other", Health.up(Map.of())))).up());

        HealthReport report = HealthReport.of(List.of(new HealthCheck() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public Health check() {
                throw new IllegalStateException("cannot tell");
            }
        }));

        assertFalse(report.up());
        assertEquals(Map.of("status", "DOWN", "details", Map.of("error", "cannot tell")),
                ((Map<?, ?>) report.body().get("checks")).get("broken"));
    }

    private static HealthCheck check(String name, Health health) {
        return new HealthCheck() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Health check() {
                return health;
            }
        };
    }
}
