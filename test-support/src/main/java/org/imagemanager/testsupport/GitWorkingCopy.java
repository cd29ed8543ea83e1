package org.imagemanager.testsupport;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.MergeCommand.FastForwardMode;
import org.eclipse.jgit.api.MergeResult;
import org.eclipse.jgit.api.ResetCommand.ResetType;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ConfigConstants;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A clone of a remote repository in which a test authors commits and pushes them, as a developer would. */
public final class GitWorkingCopy implements AutoCloseable {
    private static final String MAIN = "main";
    private static final String ORIGIN = "origin";

    private final Git git;
    private final Path dir;
    private final CredentialsProvider credentials;

    private GitWorkingCopy(Git git, Path dir, CredentialsProvider credentials) {
        this.git = git;
        this.dir = dir;
        this.credentials = credentials;
    }

    /**
     * Clones {@code url} into {@code dir}, even an empty repository, and leaves branch {@code main} checked out and
     * tracking {@code origin/main}. {@code user} and {@code password} may be null for a server without authentication.
     */
    public static GitWorkingCopy cloneOf(String url, Path dir, String user, String password) {
        CredentialsProvider credentials = user == null ? null : new UsernamePasswordCredentialsProvider(user, password);
        Git git;
        try {
            git = Git.cloneRepository().setURI(url).setDirectory(dir.toFile()).setCredentialsProvider(credentials).call();
        } catch (GitAPIException e) {
            throw new IllegalStateException("cannot clone " + url + " into " + dir + ": " + e.getMessage(), e);
        }
        GitWorkingCopy copy = new GitWorkingCopy(git, dir, credentials);
        copy.trackMain();
        return copy;
    }

    public Path directory() {
        return dir;
    }

    public GitWorkingCopy write(String path, String content) {
        try {
            Path file = file(path);
            Files.createDirectories(file.getParent());
            Files.writeString(file, content, StandardCharsets.UTF_8);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path + " in " + dir, e);
        }
    }

    public GitWorkingCopy delete(String path) {
        try {
            Files.delete(file(path));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + path + " in " + dir, e);
        }
    }

    public GitWorkingCopy move(String from, String to) {
        try {
            Path target = file(to);
            Files.createDirectories(target.getParent());
            Files.move(file(from), target);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move " + from + " to " + to + " in " + dir, e);
        }
    }

    /** Commits every change of the working tree (new, modified and deleted files); returns the commit id. */
    public String commit(String message) {
        try {
            git.add().addFilepattern(".").call();
            // A plain add stages no deletions.
            git.add().addFilepattern(".").setUpdate(true).call();
            PersonIdent who = new PersonIdent("Image Manager Tests", "tests@image-manager.invalid");
            return git.commit().setMessage(message).setAuthor(who).setCommitter(who).call().getName();
        } catch (GitAPIException e) {
            throw failure("commit \"" + message + "\"", e);
        }
    }

    /** Pushes the current branch to its namesake on origin; fails when the remote refuses (not a fast-forward, say). */
    public void push() {
        pushBranch(currentBranch(), false);
    }

    /** Pushes the current branch to its namesake on origin, replacing whatever history is there. */
    public void forcePush() {
        pushBranch(currentBranch(), true);
    }

    /** Pushes local {@code branch} to its namesake on origin. */
    public void pushBranch(String branch) {
        pushBranch(branch, false);
    }

    /** Checks out {@code branch}; with {@code create}, a new branch starting at the current commit. */
    public void checkout(String branch, boolean create) {
        try {
            git.checkout().setName(branch).setCreateBranch(create).call();
        } catch (GitAPIException e) {
            throw failure("check out " + branch, e);
        }
    }

    /** Merges {@code branch} into the current branch with a merge commit, even where a fast-forward would do; returns its id. */
    public String merge(String branch, String message) {
        try {
            MergeResult result = git.merge()
                    .include(resolve(branch))
                    .setFastForward(FastForwardMode.NO_FF)
                    // Committed below, by commit(), so that the merge has the same author as every other commit.
                    .setCommit(false)
                    .call();
            if (result.getMergeStatus() != MergeResult.MergeStatus.MERGED_NOT_COMMITTED) {
                throw new IllegalStateException("merging " + branch + " into " + currentBranch() + " in " + dir + ": "
                        + result.getMergeStatus() + (result.getConflicts() == null ? "" : ", conflicts in " + result.getConflicts().keySet()));
            }
            return commit(message);
        } catch (GitAPIException e) {
            throw failure("merge " + branch, e);
        }
    }

    /** Moves the current branch, index and working tree to {@code commit} (an id or a ref). */
    public void resetHard(String commit) {
        try {
            git.reset().setMode(ResetType.HARD).setRef(commit).call();
        } catch (GitAPIException e) {
            throw failure("reset --hard to " + commit, e);
        }
    }

    /** The id of the checked-out commit. */
    public String head() {
        return resolve(Constants.HEAD).getName();
    }

    @Override
    public void close() {
        git.close();
    }

    /** An empty remote has no branch to check out, so the clone's HEAD names JGit's default branch, untracked. */
    private void trackMain() {
        Repository repository = git.getRepository();
        try {
            if (repository.resolve(Constants.HEAD) == null) {
                RefUpdate head = repository.updateRef(Constants.HEAD);
                head.disableRefLog();
                head.link(Constants.R_HEADS + MAIN);
            }
            StoredConfig config = repository.getConfig();
            config.setString(ConfigConstants.CONFIG_BRANCH_SECTION, MAIN, ConfigConstants.CONFIG_KEY_REMOTE, ORIGIN);
            config.setString(ConfigConstants.CONFIG_BRANCH_SECTION, MAIN, ConfigConstants.CONFIG_KEY_MERGE, Constants.R_HEADS + MAIN);
            config.save();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up branch " + MAIN + " in " + dir, e);
        }
    }

    private void pushBranch(String branch, boolean force) {
        String ref = Constants.R_HEADS + branch;
        try {
            Iterable<PushResult> results = git.push()
                    .setRemote(ORIGIN)
                    .setRefSpecs(new RefSpec(ref + ":" + ref).setForceUpdate(force))
                    .setCredentialsProvider(credentials)
                    .call();
            List<String> refused = new ArrayList<>();
            for (PushResult result : results) {
                for (RemoteRefUpdate update : result.getRemoteUpdates()) {
                    if (update.getStatus() != RemoteRefUpdate.Status.OK && update.getStatus() != RemoteRefUpdate.Status.UP_TO_DATE) {
                        refused.add(update.getRemoteName() + " " + update.getStatus()
                                + (update.getMessage() == null ? "" : " (" + update.getMessage() + ")"));
                    }
                }
            }
            if (!refused.isEmpty()) {
                throw new IllegalStateException("push of " + branch + " from " + dir + " rejected: " + String.join(", ", refused));
            }
        } catch (GitAPIException e) {
            throw failure("push " + branch, e);
        }
    }

    private String currentBranch() {
        try {
            return git.getRepository().getBranch();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the current branch of " + dir, e);
        }
    }

    private ObjectId resolve(String revision) {
        try {
            ObjectId id = git.getRepository().resolve(revision);
            if (id == null) {
                throw new IllegalStateException("no commit " + revision + " in " + dir);
            }
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resolve " + revision + " in " + dir, e);
        }
    }

    private Path file(String path) {
        return dir.resolve(path);
    }

    private IllegalStateException failure(String action, GitAPIException e) {
        return new IllegalStateException("cannot " + action + " in " + dir + ": " + e.getMessage(), e);
    }
}
