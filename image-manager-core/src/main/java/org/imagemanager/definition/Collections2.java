package org.imagemanager.definition;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

final class Collections2 {
    private Collections2() {
    }

    /** YAML maps may hold nulls ({@code hw_disk_bus: null}), which {@link Map#copyOf} rejects. */
    static <K, V> Map<K, V> immutableMapAllowingNulls(Map<K, V> map) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }
}
