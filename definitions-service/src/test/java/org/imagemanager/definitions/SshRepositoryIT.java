package org.imagemanager.definitions;

import io.micronaut.context.ApplicationContext;
import org.eclipse.jgit.api.Git;
import org.imagemanager.definitions.publish.DefinitionsSync;
import org.imagemanager.testsupport.GitSshServer;
import org.imagemanager.testsupport.GitWorkingCopy;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.imagemanager.definitions.DefinitionsServiceRun.file;
import static org.imagemanager.definitions.DefinitionsServiceRun.image;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A repository read over {@code ssh://} with a key file, and a server whose host key is not the known one. */
class SshRepositoryIT {
    @Test
    void anSshRepositoryIsReadWithItsKeyAndAnUnknownHostKeyIsRefused() throws Exception {
        try (DefinitionsServiceRun run = new DefinitionsServiceRun()) {
            Path clientKey = GitSshServer.keyPair(run.dir.resolve("client/id_ecdsa"));
            Path served = Files.createDirectories(run.dir.resolve("served"));
            Git.init().setBare(true).setInitialBranch("main").setDirectory(served.resolve("defs.git").toFile()).call().close();
            try (GitSshServer ssh = GitSshServer.start(served, Path.of(clientKey + ".pub"));
                 GitWorkingCopy work = GitWorkingCopy.cloneOf(served.resolve("defs.git").toUri().toString(),
                         run.dir.resolve("ssh-work"), null, null)) {
                work.write("images.yml", file(image("Alpha", "1", 'a')));
                work.commit("alpha");
                work.push();

                // a known_hosts with another server's key: the fetch must fail, not trust blindly
                Path otherHost = GitSshServer.keyPair(run.dir.resolve("other/host"));
                Path wrongKnownHosts = Files.writeString(run.dir.resolve("wrong_known_hosts"), "[127.0.0.1]:" + ssh.port()
                        + " " + String.join(" ", List.of(Files.readString(Path.of(otherHost + ".pub")).strip().split("\\s+")).subList(0, 2)) + "\n");
                ApplicationContext distrustful = run.start(settings(ssh, clientKey, wrongKnownHosts));
                ExecutionException refused = assertThrows(ExecutionException.class, () -> distrustful
                        .getBean(DefinitionsSync.class).request(DefinitionsServiceRun.REPOSITORY).get(60, TimeUnit.SECONDS));
                org.junit.jupiter.api.Assertions.assertTrue(refused.getCause().getMessage().contains("Server key did not validate"),
                        refused.getCause().getMessage());
                assertEquals(List.of(), run.newDefinitionRecords(), "nothing read from an unverified server");
                distrustful.close();

                ApplicationContext service = run.start(settings(ssh, clientKey, ssh.knownHosts(run.dir.resolve("known_hosts"))));
                DefinitionsServiceRun.sync(service);
                assertEquals(List.of("Alpha=DefinitionChanged.v1"), run.newDefinitionRecords());
            }
        }
    }

    private static Map<String, Object> settings(GitSshServer ssh, Path clientKey, Path knownHosts) {
        String prefix = "image-manager.definitions.repositories." + DefinitionsServiceRun.REPOSITORY + ".";
        return Map.of(prefix + "url", ssh.url("defs"),
                prefix + "ssh-key-file", clientKey.toString(),
                prefix + "known-hosts-file", knownHosts.toString());
    }
}
