package org.imagemanager.definitions.repository;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

class RepositoriesTest {
    @Test
    void theShortFormIsOneRepositoryNamedDefaultOnBranchMain() {
        Repositories repositories = Repositories.of(Map.of("image-manager.definitions.repository", "/srv/definitions"), k -> null);
        RepositorySettings only = repositories.all().getFirst();
        assertEquals("default", only.name());
        assertEquals("main", only.branch());
        assertFalse(only.isRemote());
        assertInstanceOf(RepositoryCredentials.None.class, only.credentials());
        assertNull(only.webhookSecret());
    }

    @Test
    void severalRepositoriesWithTheirOwnCredentialsAndSecrets(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("token"), "ghp_abc\n");
        Files.writeString(dir.resolve("hook"), "shh\n");
        Repositories repositories = Repositories.of(Map.of(
                "image-manager.definitions.repositories.team-a.url", "https://git.example.com/a/images.git",
                "image-manager.definitions.repositories.team-a.branch", "production",
                "image-manager.definitions.repositories.team-a.subfolder", "images/",
                "image-manager.definitions.repositories.team-a.password-file", dir.resolve("token").toString(),
                "image-manager.definitions.repositories.team-a.webhook-secret-file", dir.resolve("hook").toString(),
                "image-manager.definitions.repositories.team-b.url", "ssh://git@git.example.com/b/images.git",
                "image-manager.definitions.repositories.team-b.ssh-key-file", "/etc/image-manager/id_ed25519",
                "image-manager.definitions.repositories.team-b.known-hosts-file", "/etc/image-manager/known_hosts",
                "image-manager.definitions.repositories.team-b.webhook-secret-env", "TEAM_B_HOOK"),
                Map.of("TEAM_B_HOOK", "env-secret")::get);
        assertEquals(List.of("team-a", "team-b"), repositories.all().stream().map(RepositorySettings::name).toList());
        RepositorySettings a = repositories.named("team-a").orElseThrow();
        assertTrue(a.isRemote());
        assertEquals("production", a.branch());
        assertEquals("images/", a.subfolder());
        RepositoryCredentials.Basic basic = assertInstanceOf(RepositoryCredentials.Basic.class, a.credentials());
        assertEquals("x-access-token", basic.username());
        assertEquals("ghp_abc", basic.password().value());
        assertEquals("shh", a.webhookSecret().value());
        assertFalse(a.toString().contains("ghp_abc"), "secrets never in toString: " + a);
        RepositorySettings b = repositories.named("team-b").orElseThrow();
        assertInstanceOf(RepositoryCredentials.SshKey.class, b.credentials());
        assertEquals("env-secret", b.webhookSecret().value());
    }

    @Test
    void aSecretFromAnUnsetVariableIsAClearError() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Repositories.of(Map.of(
                "image-manager.definitions.repositories.x.url", "https://h/x.git",
                "image-manager.definitions.repositories.x.password-env", "NOPE"), k -> null));
        assertTrue(e.getMessage().contains("NOPE") && e.getMessage().contains("x"), e.getMessage());
    }

    @Test
    void userInformationInALocationNeverShows() {
        RepositorySettings settings = new RepositorySettings("x", "https://bob:hunter2@git.example.com/x.git", "main", null,
                new RepositoryCredentials.None(), null);
        assertEquals("https://git.example.com/x.git", settings.displayLocation());
    }
}
