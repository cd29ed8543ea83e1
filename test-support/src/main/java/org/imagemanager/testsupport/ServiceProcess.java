package org.imagemanager.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A service run as its own JVM (this test's classpath, configured by system properties), so that a test can
 * SIGKILL it at a moment it waits for in the service's output.
 */
public final class ServiceProcess {
    private ServiceProcess() {
    }

    /** Starts {@code main} with {@code -Dkey=value} per property; stdout and stderr go to {@code log}. */
    public static Process start(Class<?> main, Map<String, ?> properties, Path log) {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m"));
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        try {
            return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until {@code text} appears in the process's log; fails with the log when it does not in time. */
    public static void awaitLine(Path log, String text, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains(text)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("'" + text + "' not in " + log + ":\n" + (Files.exists(log) ? Files.readString(log) : ""));
    }
}
