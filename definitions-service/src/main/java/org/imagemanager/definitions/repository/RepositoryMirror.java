package org.imagemanager.definitions.repository;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.TransportConfigCallback;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;
import org.imagemanager.definition.DefinitionException;
import org.imagemanager.definitions.DefinitionSnapshot;
import org.imagemanager.definitions.DefinitionsReader;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A repository as the service reads it. A local path is read in place; a remote one is cloned once (bare, only the
 * configured branch) into the work folder and fetched on demand. Only committed trees are ever read.
 */
public final class RepositoryMirror implements AutoCloseable {
    private final RepositorySettings settings;
    private final Path gitDir;
    private final DefinitionsReader reader = new DefinitionsReader();
    private SshdSessionFactory sshFactory;

    public RepositoryMirror(RepositorySettings settings, Path workDir) {
        this.settings = settings;
        this.gitDir = settings.isRemote()
                ? workDir.resolve(settings.name().replaceAll("[^\\w.-]", "_") + ".git")
                : Path.of(settings.location().replaceFirst("^file://", ""));
    }

    public RepositorySettings settings() {
        return settings;
    }

    /** Brings the branch up to date (remote repositories) and returns its head; empty while the branch does not exist. */
    public Optional<String> fetchHead() throws IOException {
        if (!settings.isRemote()) {
            return reader.headCommit(gitDir, "refs/heads/" + settings.branch());
        }
        String tracking = "refs/remotes/origin/" + settings.branch();
        try {
            if (!Files.isDirectory(gitDir.resolve("objects"))) {
                Files.createDirectories(gitDir);
                Git.init().setBare(true).setGitDir(gitDir.toFile()).setDirectory(gitDir.toFile()).call().close();
            }
            try (Git git = Git.open(gitDir.toFile())) {
                git.fetch()
                        .setRemote(settings.location())
                        // '+': a force-push is followed, not refused
                        .setRefSpecs(new RefSpec("+refs/heads/" + settings.branch() + ":" + tracking))
                        .setRemoveDeletedRefs(true)
                        .setCredentialsProvider(credentials())
                        .setTransportConfigCallback(transport())
                        .call();
            }
        } catch (org.eclipse.jgit.api.errors.TransportException e) {
            if (e.getMessage() != null && e.getMessage().contains("does not have refs/heads/" + settings.branch())) {
                // an empty repository, or the branch was deleted: not an error, and no reason to unpublish anything
                return Optional.empty();
            }
            throw new IOException("cannot fetch " + settings.branch() + " of " + settings.displayLocation() + ": "
                    + scrub(e.getMessage()), e);
        } catch (GitAPIException e) {
            throw new IOException("cannot fetch " + settings.branch() + " of " + settings.displayLocation() + ": "
                    + scrub(e.getMessage()), e);
        }
        return reader.headCommit(gitDir, tracking);
    }

    /** The definitions of {@code commit}, validated; {@link DefinitionException} lists every error. */
    public DefinitionSnapshot read(String commit) throws IOException, DefinitionException {
        DefinitionSnapshot snapshot = reader.readCommit(gitDir, commit, settings.subfolder());
        return new DefinitionSnapshot(settings.name(), snapshot.revision(), snapshot.definitions());
    }

    private CredentialsProvider credentials() {
        if (settings.credentials() instanceof RepositoryCredentials.Basic basic) {
            return new UsernamePasswordCredentialsProvider(basic.username(), basic.password().value());
        }
        return null;
    }

    private TransportConfigCallback transport() {
        return transport -> {
            if (transport instanceof SshTransport ssh && settings.credentials() instanceof RepositoryCredentials.SshKey key) {
                ssh.setSshSessionFactory(sshFactory(key));
            }
        };
    }

    private synchronized SshdSessionFactory sshFactory(RepositoryCredentials.SshKey key) {
        if (sshFactory == null) {
            File sshDir = key.keyFile().toAbsolutePath().getParent().toFile();
            sshFactory = new SshdSessionFactoryBuilder()
                    .setHomeDirectory(new File(System.getProperty("user.home")))
                    .setSshDirectory(sshDir)
                    .setDefaultIdentities(dir -> List.of(key.keyFile().toAbsolutePath()))
                    .setDefaultKnownHostsFiles(dir -> key.knownHosts() == null ? List.of() : List.of(key.knownHosts()))
                    .setPreferredAuthentications("publickey")
                    .build(null);
        }
        return sshFactory;
    }

    /** Transport errors may quote the URL as given; never with its user information. */
    private static String scrub(String message) {
        return message == null ? "" : message.replaceAll("(?<=://)[^/@\\s]*@", "");
    }

    @Override
    public synchronized void close() {
        if (sshFactory != null) {
            sshFactory.close();
        }
    }
}
