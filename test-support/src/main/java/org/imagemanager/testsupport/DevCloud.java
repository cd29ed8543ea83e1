package org.imagemanager.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The local Keystone + Glance of {@code scripts/dev-cloud.sh}: brought up once per test JVM (the script is
 * idempotent and returns at once when the services already run).
 */
public final class DevCloud {
    /** Admin in project {@code admin}. */
    public static final String ADMIN_CLOUD = "dev";
    /** A plain member of project {@code demo}. */
    public static final String DEMO_CLOUD = "dev-demo";

    private static Path cloudsFile;

    private DevCloud() {
    }

    /** A Glance client of one of the dev cloud's clouds ({@link #ADMIN_CLOUD}, {@link #DEMO_CLOUD}), read from its clouds.yaml. */
    public static org.imagemanager.glance.GlanceClient glance(String cloud) {
        java.util.Map<String, String> environment = new java.util.HashMap<>(System.getenv());
        environment.put("OS_CLIENT_CONFIG_FILE", cloudsFile().toString());
        return new org.imagemanager.glance.GlanceClient(org.imagemanager.cloud.CloudsYaml.load(cloud, environment));
    }

    /** The admin's password, from the dev cloud's clouds.yaml (its first password entry, without YAML quotes). */
    public static String adminPassword() {
        try {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\\s+password: '?([^'\\s]+)'?$")
                    .matcher(Files.readString(cloudsFile()));
            if (!m.find()) {
                throw new IllegalStateException("no password in " + cloudsFile());
            }
            return m.group(1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Ensures the dev cloud runs; returns its clouds.yaml. */
    public static synchronized Path cloudsFile() {
        if (cloudsFile == null) {
            Path root = ProjectRoot.find();
            Path script = root.resolve("scripts/dev-cloud.sh");
            try {
                Path log = Files.createTempFile("dev-cloud-up", ".log");
                Process up = new ProcessBuilder("bash", script.toString(), "up")
                        .directory(root.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
                if (!up.waitFor(20, TimeUnit.MINUTES) || up.exitValue() != 0) {
                    up.destroyForcibly();
                    throw new IllegalStateException("scripts/dev-cloud.sh up failed:\n" + Files.readString(log));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            cloudsFile = root.resolve(".dev-cloud/clouds.yaml");
        }
        return cloudsFile;
    }
}
