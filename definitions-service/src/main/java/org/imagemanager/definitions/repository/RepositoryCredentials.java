package org.imagemanager.definitions.repository;

import org.imagemanager.cloud.Secret;

import java.nio.file.Path;

/** How to authenticate to a remote definitions repository. Secrets are read from files or the environment only. */
public sealed interface RepositoryCredentials {
    /** A local path, or a repository anyone may read. */
    record None() implements RepositoryCredentials {
    }

    /** {@code https://}: a token (as the password of any user name, as GitHub and GitLab accept) or a password. */
    record Basic(String username, Secret password) implements RepositoryCredentials {
    }

    /** {@code ssh://}: a private key file; the server's key must be in {@code knownHosts} (no blind trust). */
    record SshKey(Path keyFile, Path knownHosts) implements RepositoryCredentials {
    }
}
