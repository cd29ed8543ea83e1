package org.imagemanager.testsupport;

import org.imagemanager.localkafka.LocalKafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One real broker per test JVM, started on first use and stopped when the JVM exits. Tests share it and keep apart
 * through their own topic names. {@code IMAGE_MANAGER_TEST_KAFKA} (host:port) points the tests at a running broker
 * instead.
 */
public final class SharedKafka {
    private static String bootstrapServers;

    private SharedKafka() {
    }

    public static synchronized String bootstrapServers() {
        if (bootstrapServers == null) {
            String external = System.getenv("IMAGE_MANAGER_TEST_KAFKA");
            if (external != null && !external.isBlank()) {
                bootstrapServers = external;
            } else {
                try {
                    Path dir = Files.createTempDirectory("image-manager-test-kafka");
                    bootstrapServers = LocalKafka.start(dir).bootstrapServers();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot start the local Kafka broker", e);
                }
            }
        }
        return bootstrapServers;
    }
}
