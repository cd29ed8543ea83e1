package org.imagemanager.cloud;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CloudsYamlTest {
    private static final String PASSWORD = "correct-horse-battery-staple";

    @TempDir
    Path dir;
    private Path home;

    @BeforeEach
    void emptyHome() throws IOException {
        home = Files.createDirectories(dir.resolve("home"));
    }

    private Path write(String name, String yaml) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, yaml);
        return file;
    }

    private Map<String, String> env(Path cloudsFile) {
        return Map.of("OS_CLIENT_CONFIG_FILE", cloudsFile.toString(), "HOME", home.toString());
    }

    private static String fullCloud() {
        return """
                clouds:
                  prod:
                    auth:
                      auth_url: https://keystone.example.org:5000/v3
                      username: image-manager
                      password: %s
                      user_domain_name: Users
                      project_name: images
                      project_id: 0123abcd
                      project_domain_name: Projects
                    region_name: RegionTwo
                    interface: internal
                """.formatted(PASSWORD);
    }

    private static String minimalCloud(String name) {
        return """
                clouds:
                  %s:
                    auth:
                      auth_url: https://keystone.example.org:5000/v3
                      username: image-manager
                      password: %s
                      project_name: images
                """.formatted(name, PASSWORD);
    }

    @Test
    void shouldReadTheCloudFromOsClientConfigFile() throws IOException {
        Path file = write("clouds.yaml", fullCloud());

        CloudConfig prod = CloudsYaml.load("prod", env(file));

        assertEquals("prod", prod.name());
        assertEquals("https://keystone.example.org:5000/v3", prod.authUrl());
        assertEquals("image-manager", prod.username());
        assertEquals(PASSWORD, prod.password().value());
        assertEquals("Users", prod.userDomainName());
        assertEquals("images", prod.projectName());
        assertEquals("0123abcd", prod.projectId());
        assertEquals("Projects", prod.projectDomainName());
        assertEquals("RegionTwo", prod.regionName());
        assertEquals("internal", prod.interfaceName());
    }

    @Test
    void shouldDefaultDomainsToDefaultAndInterfaceToPublic() throws IOException {
        Path file = write("clouds.yaml", minimalCloud("prod"));

        CloudConfig prod = CloudsYaml.load("prod", env(file));

        assertEquals("Default", prod.userDomainName());
        assertEquals("Default", prod.projectDomainName());
        assertEquals("public", prod.interfaceName());
        assertNull(prod.regionName());
        assertNull(prod.projectId());
    }

    @Test
    void shouldUseDomainNameForBothDomainsWhenGiven() throws IOException {
        Path file = write("clouds.yaml", """
                clouds:
                  prod:
                    auth:
                      auth_url: https://keystone.example.org:5000/v3
                      domain_name: Shared
                """);

        CloudConfig prod = CloudsYaml.load("prod", env(file));

        assertEquals("Shared", prod.userDomainName());
        assertEquals("Shared", prod.projectDomainName());
        assertNull(prod.password());
    }

    @Test
    void shouldPickTheNamedCloudAmongSeveral() throws IOException {
        Path file = write("clouds.yaml", fullCloud() + """
                  test:
                    auth:
                      auth_url: https://keystone.test.example.org/v3
                """);

        assertEquals("https://keystone.test.example.org/v3", CloudsYaml.load("test", env(file)).authUrl());
    }

    @Test
    void shouldFallBackToTheUsersConfigDirectory() throws IOException {
        write("home/.config/openstack/clouds.yaml", minimalCloud("prod"));

        CloudConfig prod = CloudsYaml.load("prod", Map.of("HOME", home.toString()));

        assertEquals("image-manager", prod.username());
    }

    @Test
    void shouldPreferTheExplicitFileOverTheUsersConfigDirectory() throws IOException {
        write("home/.config/openstack/clouds.yaml", minimalCloud("prod").replace("image-manager", "from-home"));
        Path explicit = write("explicit.yaml", minimalCloud("prod").replace("image-manager", "from-explicit"));

        assertEquals("from-explicit", CloudsYaml.load("prod", env(explicit)).username());
    }

    @Test
    void shouldKeepSearchingWhenTheExplicitFileLacksTheCloud() throws IOException {
        write("home/.config/openstack/clouds.yaml", minimalCloud("prod"));
        Path explicit = write("explicit.yaml", minimalCloud("other"));

        assertEquals("prod", CloudsYaml.load("prod", env(explicit)).name());
    }

    @Test
    void shouldSearchInTheOrderOfTheOpenstackCli() {
        List<Path> path = CloudsYaml.searchPath(Map.of("OS_CLIENT_CONFIG_FILE", "/x/my-clouds.yaml",
                "HOME", "/home/ops"));

        assertEquals(List.of(Path.of("/x/my-clouds.yaml"), Path.of("clouds.yaml"),
                Path.of("/home/ops/.config/openstack/clouds.yaml"), Path.of("/etc/openstack/clouds.yaml")), path);
    }

    @Test
    void shouldIgnoreABlankOsClientConfigFile() {
        List<Path> path = CloudsYaml.searchPath(Map.of("OS_CLIENT_CONFIG_FILE", " ", "HOME", "/home/ops"));

        assertEquals(Path.of("clouds.yaml"), path.get(0));
    }

    @Test
    void shouldNameTheCloudAndEverySearchedPathWhenTheCloudIsMissing() throws IOException {
        Path file = write("clouds.yaml", minimalCloud("prod"));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CloudsYaml.load("staging", env(file)));

        String message = e.getMessage();
        assertTrue(message.contains("'staging'"), message);
        assertTrue(message.contains(file.toString()), message);
        assertTrue(message.contains("clouds.yaml"), message);
        assertTrue(message.contains(home.resolve(".config/openstack/clouds.yaml").toString()), message);
        assertTrue(message.contains("/etc/openstack/clouds.yaml"), message);
    }

    @Test
    void shouldSayWhichFieldIsMissingWhenAuthUrlIsAbsent() throws IOException {
        Path file = write("clouds.yaml", """
                clouds:
                  prod:
                    auth:
                      username: image-manager
                """);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CloudsYaml.load("prod", env(file)));

        assertTrue(e.getMessage().contains("clouds.prod.auth.auth_url"), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void shouldNeverShowThePasswordInToString() throws IOException {
        CloudConfig prod = CloudsYaml.load("prod", env(write("clouds.yaml", fullCloud())));

        assertFalse(prod.toString().contains(PASSWORD), prod.toString());
        assertFalse(prod.password().toString().contains(PASSWORD));
        assertTrue(prod.toString().contains("******"), prod.toString());
    }

    @Test
    void shouldNeverShowThePasswordInAParseError() throws IOException {
        Path file = write("clouds.yaml", """
                clouds:
                  prod:
                    auth:
                      auth_url: https://keystone.example.org:5000/v3
                      password: %s: oops
                """.formatted(PASSWORD));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CloudsYaml.load("prod", env(file)));

        assertFalse(e.getMessage().contains(PASSWORD), e.getMessage());
    }
}
