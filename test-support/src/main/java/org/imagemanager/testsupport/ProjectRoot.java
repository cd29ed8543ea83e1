package org.imagemanager.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;

/** The checkout's top folder (where {@code scripts/dev-cloud.sh} lives). */
public final class ProjectRoot {
    private ProjectRoot() {
    }

    public static Path find() {
        String configured = System.getProperty("imagemanager.project.root");
        if (configured != null && Files.isRegularFile(Path.of(configured, "scripts/dev-cloud.sh"))) {
            return Path.of(configured).toAbsolutePath();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("scripts/dev-cloud.sh"))) {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the project root (scripts/dev-cloud.sh) above " + Path.of("").toAbsolutePath());
    }
}
