package org.imagemanager.definitions.webhook;

import java.util.Objects;

/** What to do with a webhook call. The reasons are meant for logs and responses: they never hold a secret. */
public sealed interface WebhookVerdict {

    /**
     * An authenticated push to the configured branch: time to read the repository again.
     *
     * @param ref         the full ref pushed, {@code refs/heads/<branch>}
     * @param branch      the branch name
     * @param afterCommit the commit the branch now points at; null when the sender did not say
     */
    record Accepted(GitProvider provider, String ref, String branch, String afterCommit) implements WebhookVerdict {
        public Accepted {
            Objects.requireNonNull(provider, "provider");
            Objects.requireNonNull(ref, "ref");
            Objects.requireNonNull(branch, "branch");
        }
    }

    /** Authenticated, but nothing to do (another branch, a tag, a deletion, an event that is not a push). */
    record Ignored(GitProvider provider, String reason) implements WebhookVerdict {
        public Ignored {
            Objects.requireNonNull(provider, "provider");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * Refused; {@code status} is the HTTP status to answer with: 401 when the caller is not authenticated, 400 when
     * an authenticated push cannot be understood.
     */
    record Rejected(int status, String reason) implements WebhookVerdict {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
