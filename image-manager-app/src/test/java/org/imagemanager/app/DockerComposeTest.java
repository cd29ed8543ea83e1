package org.imagemanager.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No Docker engine runs here, so `docker compose config` cannot check the file; this checks what would break a
 * build: every service's module exists, and its main class and its health probe's are real.
 */
class DockerComposeTest {
    @Test
    void everyServiceIsBuiltFromAnExistingModuleWithARealMainClass() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        JsonNode compose = new ObjectMapper(new YAMLFactory()).readTree(root.resolve("docker-compose.yml").toFile());
        List<String> built = new ArrayList<>();
        compose.path("services").fields().forEachRemaining(service -> {
            JsonNode build = service.getValue().path("build");
            if (build.isMissingNode()) {
                return;
            }
            String module = build.path("args").path("MODULE").asText();
            String mainClass = build.path("args").path("MAIN_CLASS").asText();
            assertTrue(Files.isRegularFile(root.resolve(module).resolve("pom.xml")), module + " is a module");
            assertTrue(Files.isRegularFile(root.resolve(build.path("dockerfile").asText())), "Dockerfile exists");
            assertMainClass(service.getKey(), mainClass);
            built.add(module);
        });
        // every service merges x-service, whose health check runs this class (the YAML reader does not merge)
        JsonNode healthCheck = compose.path("x-service").path("healthcheck").path("test");
        assertMainClass("the services' health check", healthCheck.path(healthCheck.size() - 1).asText());
        assertEquals(List.of("definitions-service", "planner-service", "importer-service", "rotator-service"), built);
        assertTrue(compose.path("services").has("kafka"));
        assertTrue(compose.path("services").has("s3"));
    }

    private static void assertMainClass(String user, String className) {
        try {
            Class.forName(className).getMethod("main", String[].class);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(user + ": main class " + className + " not found", e);
        }
    }
}
