package org.imagemanager.testsupport;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GitHttpServerTest {
    @TempDir
    Path temp;

    private GitHttpServer server;

    @BeforeEach
    void startServer() {
        server = GitHttpServer.start(temp.resolve("repositories"));
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void pushesSeveralCommitsFromACloneOfAnEmptyRepository() {
        String url = server.createBareRepository("definitions");
        String head;
        try (GitWorkingCopy copy = GitWorkingCopy.cloneOf(url, temp.resolve("author"), null, null)) {
            copy.write("images/ubuntu.yaml", "name: ubuntu\n").commit("ubuntu");
            copy.write("images/debian.yaml", "name: debian\n").commit("debian");
            head = copy.move("images/debian.yaml", "images/debian-12.yaml").delete("images/ubuntu.yaml").commit("rename, drop");
            copy.push();
        }

        assertEquals(head, remoteMain(url, null));
        try (GitWorkingCopy reader = GitWorkingCopy.cloneOf(url, temp.resolve("reader"), null, null)) {
            assertEquals(head, reader.head());
            assertTrue(Files.isRegularFile(reader.directory().resolve("images/debian-12.yaml")));
            assertFalse(Files.exists(reader.directory().resolve("images/ubuntu.yaml")));
        }
        assertTrue(server.requestCount() >= 4, "requests: " + server.requestCount());
    }

    @Test
    void pushesAPackLargerThanJGitsPostBufferAsAChunkedRequestBody() {
        String url = server.createBareRepository("large");
        byte[] noise = new byte[3 << 19];
        new Random(7).nextBytes(noise);
        try (GitWorkingCopy copy = GitWorkingCopy.cloneOf(url, temp.resolve("author"), null, null)) {
            String head = copy.write("noise.txt", Base64.getEncoder().encodeToString(noise)).commit("noise");
            copy.push();
            assertEquals(head, remoteMain(url, null));
        }
    }

    @Test
    void forcePushReplacesRewrittenHistoryThatAPlainPushCannot() {
        String url = server.createBareRepository("definitions");
        try (GitWorkingCopy copy = GitWorkingCopy.cloneOf(url, temp.resolve("author"), null, null)) {
            String first = copy.write("a.yaml", "a\n").commit("a");
            copy.write("b.yaml", "b\n").commit("b");
            copy.push();

            copy.resetHard(first);
            String rewritten = copy.write("c.yaml", "c\n").commit("c instead of b");
            IllegalStateException refused = assertThrows(IllegalStateException.class, copy::push);
            assertTrue(refused.getMessage().contains("REJECTED_NONFASTFORWARD"), refused.getMessage());

            copy.forcePush();
            assertEquals(rewritten, remoteMain(url, null));
        }
    }

    @Test
    void basicAuthRefusesAnonymousClientsAndAcceptsTheUser() {
        String url = server.createBareRepository("private");
        try (GitWorkingCopy anonymous = GitWorkingCopy.cloneOf(url, temp.resolve("anonymous"), null, null)) {
            anonymous.write("a.yaml", "a\n").commit("a");
            server.requireBasicAuth("alice", "secret");

            IllegalStateException refused = assertThrows(IllegalStateException.class, anonymous::push);
            assertTrue(refused.getMessage().contains("Authentication is required"), refused.getMessage());
        }
        assertThrows(IllegalStateException.class,
                () -> GitWorkingCopy.cloneOf(url, temp.resolve("intruder"), "alice", "wrong").close());

        try (GitWorkingCopy alice = GitWorkingCopy.cloneOf(url, temp.resolve("alice"), "alice", "secret")) {
            String head = alice.write("b.yaml", "b\n").commit("b");
            alice.push();
            assertEquals(head, remoteMain(url, new UsernamePasswordCredentialsProvider("alice", "secret")));
        }
    }

    @Test
    void pushesAMergeCommitAndItsBranch() throws Exception {
        String url = server.createBareRepository("definitions");
        String merge;
        try (GitWorkingCopy copy = GitWorkingCopy.cloneOf(url, temp.resolve("author"), null, null)) {
            copy.write("a.yaml", "a\n").commit("a");
            copy.push();
            copy.checkout("feature", true);
            copy.write("b.yaml", "b\n").commit("b");
            copy.pushBranch("feature");
            copy.checkout("main", false);
            // main has not moved: without a forced merge commit this would be a fast-forward.
            merge = copy.merge("feature", "Merge feature");
            copy.push();
        }

        assertEquals(merge, remoteMain(url, null));
        try (Git bare = Git.open(server.repositoryPath("definitions").toFile()); RevWalk walk = new RevWalk(bare.getRepository())) {
            RevCommit commit = walk.parseCommit(ObjectId.fromString(merge));
            assertEquals(2, commit.getParentCount());
            assertEquals("Merge feature", commit.getFullMessage());
            assertEquals("Image Manager Tests", commit.getCommitterIdent().getName());
            assertTrue(bare.getRepository().resolve("refs/heads/feature") != null);
        }
    }

    private static String remoteMain(String url, UsernamePasswordCredentialsProvider credentials) {
        try {
            return Git.lsRemoteRepository().setRemote(url).setCredentialsProvider(credentials).setHeads(true).call().stream()
                    .filter(ref -> ref.getName().equals(Constants.R_HEADS + "main"))
                    .map(Ref::getObjectId)
                    .map(ObjectId::getName)
                    .findFirst()
                    .orElseThrow();
        } catch (Exception e) {
            throw new AssertionError("ls-remote " + url, e);
        }
    }
}
