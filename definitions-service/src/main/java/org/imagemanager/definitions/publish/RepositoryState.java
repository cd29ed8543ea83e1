package org.imagemanager.definitions.publish;

import org.imagemanager.definition.DefinitionError;

import java.time.Instant;
import java.util.List;

/**
 * The record of the state topic for one repository, written in the same transaction as the events of a commit:
 * which commit the topic reflects, and the last commit that was rejected (so it is reported once, not at every poll).
 *
 * @param commit     the last published commit; null before the first valid one
 * @param rejection  the last rejected commit; null if none since the service began
 */
public record RepositoryState(String repository, String commit, Instant publishedAt, int images,
                              Rejection rejection) {

    public record Rejection(String commit, Instant time, List<DefinitionError> errors) {
        public Rejection {
            errors = List.copyOf(errors);
        }
    }

    /** Nothing to do for {@code head}: it is already published, or already rejected. */
    public boolean handled(String head) {
        return head.equals(commit) || (rejection != null && head.equals(rejection.commit()));
    }

    public RepositoryState published(String newCommit, Instant time, int imageCount) {
        return new RepositoryState(repository, newCommit, time, imageCount, rejection);
    }

    public RepositoryState rejected(String rejectedCommit, Instant time, List<DefinitionError> errors) {
        return new RepositoryState(repository, commit, publishedAt, images, new Rejection(rejectedCommit, time, errors));
    }

    public static RepositoryState empty(String repository) {
        return new RepositoryState(repository, null, null, 0, null);
    }
}
