package org.imagemanager.plan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Who carries which name in the cloud before the plan (names are not unique in Glance). */
final class NameRegistry {
    private final Map<String, List<ObservedImage>> holders = new HashMap<>();

    NameRegistry(List<ObservedImage> observed) {
        // by id: reports name the same holder whatever order Glance listed the images in
        observed.stream().sorted(Comparator.comparing(ObservedImage::id))
                .forEach(image -> holders.computeIfAbsent(image.name(), k -> new ArrayList<>()).add(image));
    }

    List<ObservedImage> holdersOf(String name) {
        return holders.getOrDefault(name, List.of());
    }
}
