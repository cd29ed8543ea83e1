package org.imagemanager.app;

import com.fasterxml.jackson.databind.JsonNode;
import org.imagemanager.event.EventJson;
import org.imagemanager.glance.GlanceClient;
import org.imagemanager.keystone.KeystoneClient;
import org.imagemanager.testsupport.DevCloud;
import org.imagemanager.testsupport.FileServer;
import org.imagemanager.testsupport.SharedKafka;
import org.imagemanager.testsupport.TestImages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ways operators reach their clouds, each against the real Keystone and Glance through the launcher: an
 * application credential (by id, and by name with its user), a token, the password in secure.yaml, OS_CLOUD, and the
 * envvars cloud of the OS_* variables. Secrets are never printed.
 */
class CloudAuthIT {
    @TempDir
    Path work;
    FileServer server;
    GlanceClient admin;
    final String id = UUID.randomUUID().toString().substring(0, 8);
    final String tag = "im-auth-" + id;
    Path images;
    String adminPassword;
    String credentialId;
    String credentialSecret;
    String userId;

    @BeforeEach
    void setUp() throws Exception {
        Path files = Files.createDirectories(work.resolve("files"));
        String sha = TestImages.sha256(TestImages.qcow2(files, "tiny.qcow2", 8));
        server = FileServer.serve(files);
        images = Files.createDirectories(work.resolve("images"));
        Files.writeString(images.resolve("images.yml"), TinyDefinition.yaml("Auth " + id, "private", server.url("tiny.qcow2"), "sha256:" + sha));
        admin = DevCloud.glance(DevCloud.ADMIN_CLOUD);
        adminPassword = DevCloud.adminPassword();
        // an application credential of the admin user, made through Keystone's API as an operator would
        KeystoneClient keystone = admin.keystone();
        userId = keystone.token().getUser().getId();
        JsonNode created = identity("POST", "users/" + userId + "/application_credentials",
                Map.of("application_credential", Map.of("name", "image-manager-" + id, "description", "CloudAuthIT")), 201);
        credentialId = created.path("application_credential").path("id").asText();
        credentialSecret = created.path("application_credential").path("secret").asText();
    }

    @AfterEach
    void tearDown() throws Exception {
        server.close();
        admin.listImages(tag).forEach(image -> admin.delete(image.id()));
        if (credentialId != null) {
            identity("DELETE", "users/" + userId + "/application_credentials/" + credentialId, null, 204);
            // Keystone records the deletion as a revocation event with a time in whole seconds, and takes a token
            // issued in that same second as revoked: the next test's tokens must come a second later
            Thread.sleep(1100);
        }
    }

    private JsonNode identity(String method, String path, Object body, int expected) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:5000/v3/" + path))
                .header("X-Auth-Token", admin.keystone().token().getId())
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(EventJson.encode(body)));
        // a client per call: Keystone closes idle connections, and a POST on a pooled one that it closed is not retried
        HttpResponse<String> response;
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
        assertEquals(expected, response.statusCode(), response.body());
        return response.body().isEmpty() ? null : EventJson.decode(response.body(), JsonNode.class);
    }

    private Path clouds(String yaml) throws IOException {
        Path file = work.resolve("clouds-" + UUID.randomUUID() + ".yaml");
        Files.writeString(file, "clouds:\n" + yaml);
        return file;
    }

    private SyncCommandIT.Result launch(Path cloudsFile, Map<String, String> environment, String... args) throws Exception {
        Path output = work.resolve("output-" + UUID.randomUUID() + ".txt");
        Process process = SyncCommandIT.start(output, cloudsFile, environment, args);
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("the launcher did not end: " + Files.readString(output));
        }
        return new SyncCommandIT.Result(process.exitValue(), Files.readString(output));
    }

    private SyncCommandIT.Result plan(Path cloudsFile, Map<String, String> environment, String... cloud) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("plan", "--images", images.toString(), "--tag", tag));
        if (cloud.length > 0) {
            args.addAll(List.of("--cloud", cloud[0]));
        }
        return launch(cloudsFile, environment, args.toArray(String[]::new));
    }

    private void assertPlansTheImport(SyncCommandIT.Result result, String cloud, String... secrets) {
        assertEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().lines().anyMatch(line -> line.startsWith(cloud) && line.contains("Auth " + id + " 1.0")
                && line.contains("import")), result.output());
        for (String secret : secrets) {
            assertFalse(result.output().contains(secret), "a secret is never printed: " + result.output());
        }
    }

    @Test
    void anApplicationCredentialByIdAndByNameWithItsUserPlansAndSyncs() throws Exception {
        Path file = clouds("""
                  by-id:
                    auth_type: v3applicationcredential
                    auth:
                      auth_url: http://127.0.0.1:5000/v3
                      application_credential_id: %s
                      application_credential_secret: %s
                    region_name: RegionOne
                  by-name:
                    auth_type: v3applicationcredential
                    auth:
                      auth_url: http://127.0.0.1:5000
                      application_credential_name: image-manager-%s
                      username: admin
                      user_domain_name: Default
                      application_credential_secret: %s
                    region_name: RegionOne
                """.formatted(credentialId, credentialSecret, id, credentialSecret));

        assertPlansTheImport(plan(file, Map.of(), "by-id"), "by-id", credentialSecret);
        assertPlansTheImport(plan(file, Map.of(), "by-name"), "by-name", credentialSecret);

        SyncCommandIT.Result sync = sync(file, "by-name");
        assertEquals(0, sync.exitCode(), sync.output());
        assertTrue(sync.output().contains("imported: 1"), sync.output());
        assertEquals(List.of("Auth " + id + " 1.0"), admin.listImages(tag).stream().map(i -> i.name()).toList());
        assertFalse(sync.output().contains(credentialSecret), sync.output());

        SyncCommandIT.Result byId = sync(file, "by-id");
        assertEquals(0, byId.exitCode(), byId.output());
        assertTrue(byId.output().contains("by-id: imported: 0  renamed: 0  changed: 0  unchanged: 1  failed: 0"), byId.output());
        assertFalse(byId.output().contains(credentialSecret), byId.output());
    }

    private SyncCommandIT.Result sync(Path cloudsFile, String cloud) throws Exception {
        String run = id + "-" + cloud;
        return launch(cloudsFile, Map.of(), "sync", "--cloud", cloud, "--images", images.toString(),
                "--tag", tag, "--kafka", SharedKafka.bootstrapServers(), "--topic-prefix", "auth-" + run + "-",
                "--group-prefix", "auth-" + run, "--no-mirror", "--timeout", "PT3M");
    }

    @Test
    void aTokenObtainedElsewherePlans() throws Exception {
        String token = admin.keystone().token().getId();
        Path file = clouds("""
                  by-token:
                    auth_type: v3token
                    auth:
                      auth_url: http://127.0.0.1:5000/v3
                      token: %s
                      project_name: admin
                      project_domain_name: Default
                    region_name: RegionOne
                """.formatted(token));

        assertPlansTheImport(plan(file, Map.of(), "by-token"), "by-token", token);
        SyncCommandIT.Result sync = sync(file, "by-token");
        assertEquals(0, sync.exitCode(), sync.output());
        assertTrue(sync.output().contains("by-token: imported: 1"), sync.output());
        assertFalse(sync.output().contains(token), "the token is never printed: " + sync.output());
    }

    @Test
    void thePasswordInSecureYamlOsCloudAndTheEnvvarsCloudEachPlan() throws Exception {
        Path file = clouds("""
                  split:
                    auth:
                      auth_url: http://127.0.0.1:5000/v3
                      username: admin
                      project_name: admin
                      user_domain_name: Default
                      project_domain_name: Default
                    region_name: RegionOne
                """);
        Path secure = work.resolve("secure.yaml");
        Files.writeString(secure, "clouds:\n  split:\n    auth:\n      password: " + adminPassword + "\n");

        assertPlansTheImport(plan(file, Map.of("OS_CLIENT_SECURE_FILE", secure.toString()), "split"), "split", adminPassword);
        // no --cloud: OS_CLOUD names it
        assertPlansTheImport(plan(file, Map.of("OS_CLIENT_SECURE_FILE", secure.toString(), "OS_CLOUD", "split")), "split", adminPassword);

        Map<String, String> variables = new HashMap<>(Map.of("OS_AUTH_URL", "http://127.0.0.1:5000/v3", "OS_USERNAME", "admin",
                "OS_PASSWORD", adminPassword, "OS_PROJECT_NAME", "admin", "OS_USER_DOMAIN_NAME", "Default",
                "OS_PROJECT_DOMAIN_NAME", "Default", "OS_REGION_NAME", "RegionOne"));
        assertPlansTheImport(plan(work.resolve("no-such-clouds.yaml"), variables, "envvars"), "envvars", adminPassword);
    }

    @Test
    void anUnsupportedAuthTypeOrNoCloudEndsAtOnceNamingWhy() throws Exception {
        Path file = clouds("""
                  oidc:
                    auth_type: v3oidcpassword
                    auth:
                      auth_url: http://127.0.0.1:5000/v3
                """);

        SyncCommandIT.Result unsupported = plan(file, Map.of(), "oidc");
        assertEquals(1, unsupported.exitCode(), unsupported.output());
        assertTrue(unsupported.output().contains("clouds.oidc.auth_type: 'v3oidcpassword' is not supported"), unsupported.output());

        SyncCommandIT.Result none = plan(file, Map.of());
        assertEquals(2, none.exitCode(), "a usage error: " + none.output());
        assertTrue(none.output().contains("no cloud given: --cloud NAME (or set OS_CLOUD"), none.output());
    }

    /**
     * TLS in front of Keystone and Glance (a region whose catalog endpoints are https, through a local TLS proxy with a
     * CA the test made): plan works with that CA as cacert and with verify: false (even through a host name the
     * certificate does not name), and ends at once, naming the certificate, without it or with another CA.
     */
    @Test
    void tlsWithAPrivateCaWorksWithCacertOrVerifyFalseAndIsRefusedClearlyOtherwise() throws Exception {
        org.imagemanager.testsupport.TestCertificates certificates =
                org.imagemanager.testsupport.TestCertificates.create(work.resolve("tls"), "Image Manager Test CA " + id);
        org.imagemanager.testsupport.TestCertificates other =
                org.imagemanager.testsupport.TestCertificates.create(work.resolve("other-tls"), "Another CA " + id);
        String region = "Tls-" + id;
        List<String> endpoints = new java.util.ArrayList<>();
        try (org.imagemanager.testsupport.TlsProxy keystone = org.imagemanager.testsupport.TlsProxy.start(certificates, 5000);
             org.imagemanager.testsupport.TlsProxy glance = org.imagemanager.testsupport.TlsProxy.start(certificates, 9292)) {
            identity("POST", "regions", Map.of("region", Map.of("id", region)), 201);
            endpoints.add(endpoint(region, "identity", "https://127.0.0.1:" + keystone.port() + "/v3"));
            endpoints.add(endpoint(region, "image", "https://127.0.0.1:" + glance.port()));
            String cloud = """
                      %s:
                        auth:
                          auth_url: https://127.0.0.1:%d/v3
                          username: admin
                          password: %s
                          project_name: admin
                          user_domain_name: Default
                          project_domain_name: Default
                        region_name: %s
                    """;
            Path file = clouds(cloud.formatted("with-ca", keystone.port(), adminPassword, region) + "    cacert: " + certificates.caPem() + "\n"
                    + cloud.formatted("without-ca", keystone.port(), adminPassword, region)
                    + cloud.formatted("other-ca", keystone.port(), adminPassword, region) + "    cacert: " + other.caPem() + "\n"
                    // by host name: the certificate names only 127.0.0.1, so verify: false must skip the host name check too
                    + cloud.formatted("unverified", keystone.port(), adminPassword, region)
                    .replace("https://127.0.0.1:", "https://localhost:") + "    verify: false\n");

            assertPlansTheImport(plan(file, Map.of(), "with-ca"), "with-ca", adminPassword);
            assertTrue(glance.connections() > 0, "Glance was reached through TLS too");
            for (String refused : List.of("without-ca", "other-ca")) {
                long started = System.nanoTime();
                SyncCommandIT.Result result = plan(file, Map.of(), refused);
                assertEquals(1, result.exitCode(), refused + ": " + result.output());
                assertTrue(result.output().contains("authentication to cloud '" + refused + "' failed: the TLS certificate of 127.0.0.1:"
                        + keystone.port() + " is not trusted"), refused + ": " + result.output());
                assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started) < 60, refused + " took too long");
            }
            assertPlansTheImport(plan(file, Map.of(), "unverified"), "unverified", adminPassword);
        } finally {
            for (String endpoint : endpoints) {
                identity("DELETE", "endpoints/" + endpoint, null, 204);
            }
            identity("DELETE", "regions/" + region, null, 204);
        }
    }

    private String endpoint(String region, String type, String url) throws Exception {
        String service = identity("GET", "services?type=" + type, null, 200).path("services").get(0).path("id").asText();
        return identity("POST", "endpoints", Map.of("endpoint", Map.of("interface", "public", "region_id", region,
                "url", url, "service_id", service)), 201).path("endpoint").path("id").asText();
    }
}
