package org.imagemanager.observability;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The answer of {@code GET /health}: {@code {"status": "UP"|"DOWN", "checks": {name: {"status", "details"}}}}.
 * A check that throws is DOWN with its error, so one broken check cannot hide the others.
 */
record HealthReport(boolean up, Map<String, Object> body) {
    static HealthReport of(List<HealthCheck> checks) {
        Map<String, Object> results = new TreeMap<>();
        boolean up = true;
        for (HealthCheck check : checks) {
            Health health = run(check);
            up &= health.up();
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("status", status(health.up()));
            result.put("details", health.details());
            results.put(check.name(), result);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status(up));
        body.put("checks", results);
        return new HealthReport(up, body);
    }

    private static Health run(HealthCheck check) {
        try {
            return check.check();
        } catch (RuntimeException e) {
            return Health.down(Map.of("error", String.valueOf(e.getMessage())));
        }
    }

    private static String status(boolean up) {
        return up ? "UP" : "DOWN";
    }
}
