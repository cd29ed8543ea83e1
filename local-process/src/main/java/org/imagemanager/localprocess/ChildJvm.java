package org.imagemanager.localprocess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A local server run as a child JVM (the Kafka broker, S3Proxy): started with this JVM's {@code java}, its output in
 * a file, waited for until it is ready, and stopped with this JVM at the latest.
 */
public final class ChildJvm implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path output;

    private ChildJvm(String name, Process process, Path output) {
        this.name = name;
        this.process = process;
        this.output = output;
    }

    /**
     * Starts {@code java} with {@code arguments} in {@code directory}, writing stdout and stderr to {@code output}.
     *
     * @param name        the server, for messages and the shutdown hook (e.g. "Kafka broker")
     * @param environment variables added to this JVM's environment unless already set
     */
    public static ChildJvm start(String name, List<String> arguments, Path directory, Path output,
                                 Map<String, String> environment) throws IOException {
        List<String> command = new ArrayList<>(List.of(java()));
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        environment.forEach(builder.environment()::putIfAbsent);
        ChildJvm child = new ChildJvm(name, builder.start(), output);
        Runtime.getRuntime().addShutdownHook(new Thread(child::close, name + " stop"));
        return child;
    }

    /** This JVM's own {@code java}, so the child runs on the same Java as its caller. */
    public static String java() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /**
     * Waits until {@code ready} says so, asking every {@code poll}. A child that exits, or is not ready within
     * {@code timeout} (it is stopped then), fails with the end of its output.
     *
     * @param readiness what is waited for, for the message (e.g. "open port 9092")
     */
    public void awaitReady(BooleanSupplier ready, String readiness, Duration timeout, Duration poll) throws IOException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited with " + process.exitValue() + ": " + tail());
            }
            if (ready.getAsBoolean()) {
                return;
            }
            sleep(poll);
        }
        close();
        throw new IOException(name + " did not " + readiness + " within " + timeout + ": " + tail());
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Stops the child, forcibly if it does not stop within 20 s; idempotent. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private String tail() {
        try {
            String text = Files.readString(output);
            return text.length() > 2000 ? text.substring(text.length() - 2000) : text;
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted"));
        }
    }
}
