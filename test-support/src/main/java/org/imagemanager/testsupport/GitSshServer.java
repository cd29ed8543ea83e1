package org.imagemanager.testsupport;

import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.config.keys.AuthorizedKeysAuthenticator;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.UploadPack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Serves bare repositories under a folder over SSH on 127.0.0.1 (Apache MINA sshd, as JGit's own client uses), for
 * fetches only ({@code git-upload-pack}), to clients whose key is authorised. Keys are made with {@code ssh-keygen}
 * (ECDSA: no extra crypto provider needed).
 */
public final class GitSshServer implements AutoCloseable {
    private final SshServer server;
    private final Path root;
    private final Path hostPublicKey;

    private GitSshServer(SshServer server, Path root, Path hostPublicKey) {
        this.server = server;
        this.root = root;
        this.hostPublicKey = hostPublicKey;
    }

    /** A server for the repositories under {@code root}, accepting the client key whose public half is given. */
    public static GitSshServer start(Path root, Path authorizedPublicKey) {
        try {
            Path hostKey = keyPair(root.resolve("host-key"));
            SshServer server = SshServer.setUpDefaultServer();
            server.setHost("127.0.0.1");
            server.setPort(0);
            server.setKeyPairProvider(new FileKeyPairProvider(hostKey));
            server.setPublickeyAuthenticator(new AuthorizedKeysAuthenticator(authorizedPublicKey));
            server.setPasswordAuthenticator(null);
            server.setKeyboardInteractiveAuthenticator(null);
            server.setCommandFactory((channel, command) -> new UploadPackCommand(root, command));
            server.start();
            return new GitSshServer(server, root, Path.of(hostKey + ".pub"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Makes an ECDSA key pair with {@code ssh-keygen} (no passphrase); returns the private key's path. */
    public static Path keyPair(Path privateKey) {
        try {
            Files.createDirectories(privateKey.getParent());
            Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", "", "-f",
                    privateKey.toString()).redirectErrorStream(true).start();
            String output = new String(keygen.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!keygen.waitFor(30, TimeUnit.SECONDS) || keygen.exitValue() != 0) {
                throw new IllegalStateException("ssh-keygen failed: " + output);
            }
            return privateKey;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public int port() {
        return server.getPort();
    }

    /** {@code ssh://git@127.0.0.1:PORT/NAME.git} for a bare repository {@code root/NAME.git}. */
    public String url(String name) {
        return "ssh://git@127.0.0.1:" + port() + "/" + name + ".git";
    }

    /** A known_hosts file that trusts this server's host key. */
    public Path knownHosts(Path file) {
        try {
            String[] key = Files.readString(hostPublicKey).strip().split("\\s+");
            Files.writeString(file, "[127.0.0.1]:" + port() + " " + key[0] + " " + key[1] + "\n");
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            server.stop(true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code git-upload-pack '/name.git'}: JGit's UploadPack on the repository, over the channel's streams. */
    private static final class UploadPackCommand implements Command {
        private final Path root;
        private final String command;
        private InputStream in;
        private OutputStream out;
        private OutputStream err;
        private ExitCallback exit;

        UploadPackCommand(Path root, String command) {
            this.root = root;
            this.command = command;
        }

        @Override
        public void setInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
            this.err = err;
        }

        @Override
        public void setExitCallback(ExitCallback exit) {
            this.exit = exit;
        }

        @Override
        public void start(ChannelSession channel, Environment environment) {
            Thread.ofVirtual().start(() -> {
                List<String> words = List.of(command.split(" ", 2));
                if (words.size() != 2 || !words.get(0).equals("git-upload-pack")) {
                    fail("only git-upload-pack is served, not: " + command);
                    return;
                }
                Path repository = root.resolve(words.get(1).replaceAll("^'?/*|'$", ""));
                try (Repository git = new FileRepositoryBuilder().setGitDir(repository.toFile()).setMustExist(true).build()) {
                    new UploadPack(git).upload(in, out, err);
                    out.flush();
                    exit.onExit(0);
                } catch (IOException e) {
                    fail(e.toString());
                }
            });
        }

        private void fail(String message) {
            try {
                err.write((message + "\n").getBytes(StandardCharsets.UTF_8));
                err.flush();
            } catch (IOException ignored) {
                // the client is gone: nothing to tell
            }
            exit.onExit(1, message);
        }

        @Override
        public void destroy(ChannelSession channel) {
        }
    }
}
