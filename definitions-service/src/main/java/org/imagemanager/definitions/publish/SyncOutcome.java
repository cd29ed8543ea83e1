package org.imagemanager.definitions.publish;

import org.imagemanager.definition.DefinitionError;

import java.util.List;

/** What one sync of a repository did. */
public sealed interface SyncOutcome {
    /** The head is already published, or was already rejected: nothing written. */
    record UpToDate(String commit) implements SyncOutcome {
    }

    /** The branch does not exist (yet): nothing read, nothing written; the published state stays. */
    record NoBranch() implements SyncOutcome {
    }

    record Published(String commit, List<String> changed, List<String> removed) implements SyncOutcome {
    }

    record Rejected(String commit, List<DefinitionError> errors) implements SyncOutcome {
    }
}
