package org.imagemanager.testsupport;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A real git repository in a temporary folder, to which tests commit definition files. */
public final class TestGitRepository implements AutoCloseable {
    private final Git git;
    private final Path dir;

    private TestGitRepository(Git git, Path dir) {
        this.git = git;
        this.dir = dir;
    }

    public static TestGitRepository create(Path dir) {
        try {
            return new TestGitRepository(Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call(), dir);
        } catch (GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }

    public Path directory() {
        return dir;
    }

    /** Writes {@code content} to {@code path}, commits it and returns the commit id. */
    public String commit(String path, String content, String message) {
        try {
            Path file = dir.resolve(path);
            Files.createDirectories(file.getParent());
            Files.writeString(file, content, StandardCharsets.UTF_8);
            git.add().addFilepattern(path).call();
            PersonIdent who = new PersonIdent("Image Manager Tests", "tests@image-manager.invalid");
            RevCommit commit = git.commit().setMessage(message).setAuthor(who).setCommitter(who).call();
            return commit.getName();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        git.close();
    }
}
