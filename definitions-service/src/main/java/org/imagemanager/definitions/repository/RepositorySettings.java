package org.imagemanager.definitions.repository;

import org.imagemanager.cloud.Secret;

/**
 * One repository of definitions.
 *
 * @param name          its name in configuration, events ({@code source}) and the webhook path
 * @param location      a local path, or a {@code https://}, {@code http://} or {@code ssh://} URL
 * @param branch        the branch whose head is in force
 * @param subfolder     only definition files below this folder count; null for the whole tree
 * @param webhookSecret the shared secret of its push webhooks; null when it is only polled
 */
public record RepositorySettings(String name, String location, String branch, String subfolder,
                                 RepositoryCredentials credentials, Secret webhookSecret) {
    public boolean isRemote() {
        return location.matches("^(https?|ssh|git)://.*") || location.matches("^[\\w.-]+@[\\w.-]+:.*");
    }

    /** The location without user information, for logs and events. */
    public String displayLocation() {
        return location.replaceAll("(?<=://)[^/@]*@", "");
    }
}
