package org.imagemanager.cloud;

/** One entry of {@code clouds.yaml}, password auth against Keystone v3. */
public record CloudConfig(String name, String authUrl, String username, Secret password, String userDomainName,
                          String projectName, String projectId, String projectDomainName, String regionName,
                          String interfaceName) {
}
