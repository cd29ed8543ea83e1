package org.imagemanager.cloud;

import java.nio.file.Path;

/**
 * One cloud as openstacksdk reads it from {@code clouds.yaml} (with {@code secure.yaml} merged over it) or from the
 * {@code OS_*} variables: Keystone v3, one of the ways a service account authenticates, the project it works in, the
 * region and interface of the catalog's endpoints, and how TLS is checked.
 *
 * @param scope the project the token is scoped to; null for an application credential (which carries its own)
 */
public record CloudConfig(String name, String authUrl, Auth auth, Scope scope, String regionName, String interfaceName,
                          Tls tls) {

    /** How the cloud's service account proves who it is: a closed set, as Keystone v3 offers it to automation. */
    public sealed interface Auth permits Password, ApplicationCredential, Token {
    }

    /** A user by id, or by name within a domain (by id or name). */
    public record User(String id, String name, String domainId, String domainName) {
    }

    /** {@code auth_type: password} (the default) or {@code v3password}. */
    public record Password(User user, Secret password) implements Auth {
    }

    /**
     * {@code auth_type: v3applicationcredential}: by id, or by name together with its user. Keystone scopes the token
     * to the credential's own project.
     */
    public record ApplicationCredential(String id, String name, User user, Secret secret) implements Auth {
    }

    /** {@code auth_type: token} or {@code v3token}: a token obtained elsewhere (it cannot be renewed past its expiry). */
    public record Token(Secret token) implements Auth {
    }

    /** A project by id, or by name within a domain (by id or name). */
    public record Scope(String projectId, String projectName, String domainId, String domainName) {
    }

    /**
     * @param cacert the CA bundle (PEM) that signs the cloud's certificates; null for the JDK's trust store
     * @param verify false only where the operator turned checking off ({@code verify: false})
     */
    public record Tls(Path cacert, boolean verify) {
        public static final Tls DEFAULT = new Tls(null, true);
    }

    public CloudConfig {
        tls = tls == null ? Tls.DEFAULT : tls;
    }

    /** Password auth with the fields the first clouds.yaml reader knew (tests, one-off tools). */
    public CloudConfig(String name, String authUrl, String username, Secret password, String userDomainName,
                       String projectName, String projectId, String projectDomainName, String regionName,
                       String interfaceName) {
        this(name, authUrl, new Password(new User(null, username, null, userDomainName), password),
                new Scope(projectId, projectName, null, projectDomainName), regionName, interfaceName, Tls.DEFAULT);
    }

    public String username() {
        return user() == null ? null : user().name();
    }

    public String userDomainName() {
        return user() == null ? null : user().domainName();
    }

    /** The password of password auth (null for the other kinds). */
    public Secret password() {
        return auth instanceof Password p ? p.password() : null;
    }

    public String projectId() {
        return scope == null ? null : scope.projectId();
    }

    public String projectName() {
        return scope == null ? null : scope.projectName();
    }

    public String projectDomainName() {
        return scope == null ? null : scope.domainName();
    }

    private User user() {
        return switch (auth) {
            case Password p -> p.user();
            case ApplicationCredential a -> a.user();
            case Token t -> null;
        };
    }
}
