package org.imagemanager.planner;

import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FamilyOwnershipTest {
    @Test
    void aKeyIsOwnedWhereTheProducerPutsItsRecords() {
        for (String key : new String[]{"dev/Ubuntu 24.04", "prod/Debian 12", "a/b", "x/Flatcar Container Linux"}) {
            for (int partitions : new int[]{1, 3, 6, 12}) {
                assertEquals(BuiltInPartitioner.partitionForKey(key.getBytes(StandardCharsets.UTF_8), partitions),
                        FamilyOwnership.partitionOf(key, partitions), key);
            }
        }
    }

    @Test
    void nothingIsOwnedBeforeTheFirstAssignmentAndEachKeyByExactlyOneOfTwoInstances() {
        FamilyOwnership first = new FamilyOwnership();
        assertFalse(first.owns("dev/Ubuntu"));
        FamilyOwnership second = new FamilyOwnership();
        first.assigned(Set.of(0, 2, 4), 6);
        second.assigned(Set.of(1, 3, 5), 6);
        for (int i = 0; i < 200; i++) {
            String key = "cloud" + (i % 3) + "/Image " + i;
            assertTrue(first.owns(key) ^ second.owns(key), key);
        }
    }
}
