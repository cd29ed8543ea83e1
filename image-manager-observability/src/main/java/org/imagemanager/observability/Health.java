package org.imagemanager.observability;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one {@link HealthCheck} found. The details are shown as they are: they must hold no secret.
 *
 * @param up      false makes the whole service DOWN (503)
 * @param details what an operator needs to see why (names, counts, errors)
 */
public record Health(boolean up, Map<String, Object> details) {
    public Health {
        details = Collections.unmodifiableMap(new TreeMap<>(details)); // sorted: the same answer reads the same
    }

    public static Health up(Map<String, Object> details) {
        return new Health(true, details);
    }

    public static Health down(Map<String, Object> details) {
        return new Health(false, details);
    }
}
