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
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
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

    @Test
    void shouldReadAnApplicationCredentialByIdOrByNameWithItsUser() throws IOException {
        Path file = write("clouds.yaml", """
                clouds:
                  by-id:
                    auth_type: v3applicationcredential
                    auth:
                      auth_url: https://keystone.example.org/v3
                      application_credential_id: 4ae2
                      application_credential_secret: %s
                  by-name:
                    auth_type: v3applicationcredential
                    auth:
                      auth_url: https://keystone.example.org/v3
                      application_credential_name: image-manager
                      username: automation
                      user_domain_name: Users
                      application_credential_secret: %s
                """.formatted(PASSWORD, PASSWORD));

        CloudConfig byId = CloudsYaml.load("by-id", env(file));
        CloudConfig byName = CloudsYaml.load("by-name", env(file));

        CloudConfig.ApplicationCredential id = assertInstanceOf(CloudConfig.ApplicationCredential.class, byId.auth());
        assertEquals("4ae2", id.id());
        assertEquals(PASSWORD, id.secret().value());
        assertNull(byId.scope(), "Keystone scopes an application credential itself");
        CloudConfig.ApplicationCredential named = assertInstanceOf(CloudConfig.ApplicationCredential.class, byName.auth());
        assertEquals("image-manager", named.name());
        assertEquals(new CloudConfig.User(null, "automation", null, "Users"), named.user());
        assertFalse(byName.toString().contains(PASSWORD), byName.toString());
    }

    @Test
    void shouldRefuseAnApplicationCredentialWithoutSecretOrWithoutIdAndUser() throws IOException {
        Path file = write("clouds.yaml", """
                clouds:
                  no-secret:
                    auth_type: v3applicationcredential
                    auth:
                      auth_url: https://keystone.example.org/v3
                      application_credential_id: 4ae2
                  no-user:
                    auth_type: v3applicationcredential
                    auth:
                      auth_url: https://keystone.example.org/v3
                      application_credential_name: image-manager
                      application_credential_secret: s
                """);

        assertTrue(assertThrows(IllegalArgumentException.class, () -> CloudsYaml.load("no-secret", env(file))).getMessage()
                .contains("clouds.no-secret.auth.application_credential_secret is required"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CloudsYaml.load("no-user", env(file))).getMessage()
                .contains("clouds.no-user.auth.application_credential_id is required"));
    }

    @Test
    void shouldReadATokenScopedToAProject() throws IOException {
        Path file = write("clouds.yaml", """
                clouds:
                  prod:
                    auth_type: v3token
                    auth:
                      auth_url: https://keystone.example.org/v3
                      token: %s
                      project_id: 0123abcd
                """.formatted(PASSWORD));

        CloudConfig prod = CloudsYaml.load("prod", env(file));

        assertEquals(PASSWORD, assertInstanceOf(CloudConfig.Token.class, prod.auth()).token().value());
        assertEquals("0123abcd", prod.projectId());
        assertFalse(prod.toString().contains(PASSWORD), prod.toString());
    }

    @Test
    void shouldMergeSecureYamlOverTheCloudsEntry() throws IOException {
        Path clouds = write("clouds.yaml", minimalCloud("prod").replace("      password: " + PASSWORD + "\n", ""));
        Path secure = write("elsewhere/secure.yaml", """
                clouds:
                  prod:
                    auth:
                      password: %s
                """.formatted(PASSWORD));

        CloudConfig prod = CloudsYaml.load("prod", Map.of("OS_CLIENT_CONFIG_FILE", clouds.toString(),
                "OS_CLIENT_SECURE_FILE", secure.toString(), "HOME", home.toString()));

        assertEquals(PASSWORD, prod.password().value());
        assertEquals("image-manager", prod.username(), "the rest still comes from clouds.yaml");
    }

    @Test
    void shouldFindSecureYamlInTheUsersConfigDirectory() throws IOException {
        write("home/.config/openstack/clouds.yaml", minimalCloud("prod").replace("      password: " + PASSWORD + "\n", ""));
        write("home/.config/openstack/secure.yaml", "clouds:\n  prod:\n    auth:\n      password: " + PASSWORD + "\n");

        assertEquals(PASSWORD, CloudsYaml.load("prod", Map.of("HOME", home.toString())).password().value());
    }

    @Test
    void shouldMakeTheEnvvarsCloudFromTheOsVariables() {
        CloudConfig cloud = CloudsYaml.load(CloudsYaml.ENVVARS, Map.of("HOME", home.toString(),
                "OS_AUTH_URL", "https://keystone.example.org/v3", "OS_USERNAME", "automation", "OS_PASSWORD", PASSWORD,
                "OS_PROJECT_NAME", "images", "OS_USER_DOMAIN_NAME", "Users", "OS_PROJECT_DOMAIN_NAME", "Projects",
                "OS_REGION_NAME", "RegionTwo", "OS_INTERFACE", "internal"));

        assertEquals("envvars", cloud.name());
        assertEquals("https://keystone.example.org/v3", cloud.authUrl());
        assertEquals("automation", cloud.username());
        assertEquals(PASSWORD, cloud.password().value());
        assertEquals("Users", cloud.userDomainName());
        assertEquals("images", cloud.projectName());
        assertEquals("Projects", cloud.projectDomainName());
        assertEquals("RegionTwo", cloud.regionName());
        assertEquals("internal", cloud.interfaceName());
    }

    @Test
    void shouldNameTheVariableWhenTheEnvvarsCloudLacksOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CloudsYaml.load(CloudsYaml.ENVVARS,
                Map.of("HOME", home.toString(), "OS_AUTH_URL", "https://keystone.example.org/v3", "OS_AUTH_TYPE",
                        "v3applicationcredential", "OS_APPLICATION_CREDENTIAL_ID", "4ae2")));

        assertTrue(e.getMessage().contains("OS_APPLICATION_CREDENTIAL_SECRET is required"), e.getMessage());
    }

    /** Whatever would change how we connect, and that we cannot do, ends the run naming the key: never ignored. */
    @Test
    void shouldRefuseWhatItCannotDoNamingTheKey() throws IOException {
        Path file = write("clouds.yaml", """
                clouds:
                  oidc:
                    auth_type: v3oidcpassword
                    auth: {auth_url: https://keystone.example.org/v3}
                  v2:
                    identity_api_version: 2
                    auth: {auth_url: https://keystone.example.org/v2.0}
                  client-cert:
                    cert: /etc/ssl/client.pem
                    key: /etc/ssl/client.key
                    auth: {auth_url: https://keystone.example.org/v3}
                  cacert:
                    cacert: /no/such/ca.pem
                    auth: {auth_url: https://keystone.example.org/v3}
                """);

        Map<String, String> expected = Map.of("oidc", "clouds.oidc.auth_type: 'v3oidcpassword' is not supported",
                "v2", "clouds.v2.identity_api_version: '2' is not supported", "client-cert", "clouds.client-cert.cert",
                "cacert", "clouds.cacert.cacert: cannot read /no/such/ca.pem");
        expected.forEach((cloud, message) -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CloudsYaml.load(cloud, env(file)));
            assertTrue(e.getMessage().contains(message), cloud + ": " + e.getMessage());
        });
    }

    @Test
    void shouldReadTheTlsSettings() throws IOException {
        Path ca = write("ca.pem", "not read here");
        Path file = write("clouds.yaml", """
                clouds:
                  private-ca:
                    cacert: %s
                    auth: {auth_url: https://keystone.example.org/v3}
                  unverified:
                    verify: false
                    auth: {auth_url: https://keystone.example.org/v3}
                """.formatted(ca));

        assertEquals(new CloudConfig.Tls(ca, true), CloudsYaml.load("private-ca", env(file)).tls());
        assertEquals(new CloudConfig.Tls(null, false), CloudsYaml.load("unverified", env(file)).tls());
        assertEquals(CloudConfig.Tls.DEFAULT, CloudsYaml.load("prod", env(write("other.yaml", minimalCloud("prod")))).tls());
    }

    @Test
    void anEntryWithRegionsIsOneTargetPerRegionEachWithItsOwnValues() throws IOException {
        Path file = write("clouds.yaml", """
                clouds:
                  prod:
                    auth: {auth_url: https://keystone.example.org/v3, username: u, password: p, project_name: images}
                    regions:
                      - RegionOne
                      - name: RegionTwo
                        values:
                          interface: internal
                """);

        assertEquals(List.of("prod/RegionOne", "prod/RegionTwo"), CloudsYaml.targets("prod", env(file)));
        assertEquals(List.of("other"), CloudsYaml.targets("other", env(file)), "an unknown cloud is left to load to report");
        CloudConfig one = CloudsYaml.load("prod/RegionOne", env(file));
        CloudConfig two = CloudsYaml.load("prod/RegionTwo", env(file));
        assertEquals("prod/RegionOne", one.name());
        assertEquals("RegionOne", one.regionName());
        assertEquals("public", one.interfaceName());
        assertEquals("RegionTwo", two.regionName());
        assertEquals("internal", two.interfaceName(), "the region's own values");
        assertEquals("RegionOne", CloudsYaml.load("prod", env(file)).regionName(), "named alone: its first region");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CloudsYaml.load("prod/RegionNine", env(file)));
        assertTrue(e.getMessage().contains("clouds.prod.regions [RegionOne, RegionTwo] has no region 'RegionNine'"), e.getMessage());
    }
}
