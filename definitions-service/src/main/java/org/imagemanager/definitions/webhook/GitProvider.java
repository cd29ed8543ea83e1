package org.imagemanager.definitions.webhook;

/** Who sent a webhook, as told by its headers. Forgejo counts as {@link #GITEA}: same payloads, same signatures. */
public enum GitProvider {
    GITHUB,
    GITLAB,
    GITEA,
    /** Anything else (a CI job, a script): signed with {@code X-Image-Manager-Signature}. */
    GENERIC
}
