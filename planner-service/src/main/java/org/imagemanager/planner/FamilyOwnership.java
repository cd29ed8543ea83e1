package org.imagemanager.planner;

import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Which {@code cloud/family} keys this planner instance plans. Outcome events are keyed by {@code cloud/family}
 * and consumed in one group, so each key belongs to the instance that holds its partition: that instance, and only
 * it, plans the family. Definitions reach every instance; each plans only the keys it owns. One family is thus never
 * planned by two instances at once, and a rebalance hands it over whole.
 */
final class FamilyOwnership {
    private volatile Set<Integer> owned = Set.of();
    private volatile int partitions;

    void assigned(Set<Integer> ownedPartitions, int partitionCount) {
        this.owned = Set.copyOf(ownedPartitions);
        this.partitions = partitionCount;
    }

    boolean owns(String key) {
        int count = partitions;
        return count > 0 && owned.contains(partitionOf(key, count));
    }

    /** The partition Kafka's default partitioner picks for a keyed record (murmur2 of the key's bytes). */
    static int partitionOf(String key, int partitionCount) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitionCount;
    }
}
