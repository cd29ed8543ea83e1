package org.imagemanager.keystone;

import com.fasterxml.jackson.databind.JsonNode;
import org.imagemanager.cloud.CloudConfig;
import org.imagemanager.cloud.CloudTls;
import org.imagemanager.event.EventJson;
import org.imagemanager.glance.GlanceException;
import org.openstack4j.api.types.Facing;
import org.openstack4j.core.transport.ObjectMapperSingleton;
import org.openstack4j.model.identity.v3.Endpoint;
import org.openstack4j.model.identity.v3.Service;
import org.openstack4j.openstack.identity.v3.domain.KeystoneToken;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Keystone v3 for one cloud: the token (every auth type of {@link CloudConfig.Auth}, renewed before it expires), the
 * catalog's endpoints, and the projects and domains the share options name. Through the JDK's HTTP client (openstack4j
 * knows no application credentials), with the cloud's TLS settings. Secrets go into request bodies only, never into a
 * message.
 */
public final class KeystoneClient implements AutoCloseable {
    /** A token this close to its expiry is replaced before use: a long import never starts on one about to end. */
    private static final Duration TOKEN_MARGIN = Duration.ofMinutes(5);

    private final CloudConfig cloud;
    private final SSLContext ssl;
    private final HttpClient http;
    private volatile KeystoneToken token;

    public KeystoneClient(CloudConfig cloud) {
        this.cloud = cloud;
        this.ssl = CloudTls.context(cloud);
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(ssl)
                .connectTimeout(Duration.ofSeconds(20)).build();
    }

    public CloudConfig cloud() {
        return cloud;
    }

    /** The TLS context of this cloud, for every other client that talks to it. */
    public SSLContext ssl() {
        return ssl;
    }

    /** A valid token (a new one when the current one is about to expire). */
    public KeystoneToken token() {
        KeystoneToken current = token;
        if (current == null || expiresSoon(current)) {
            synchronized (this) {
                current = token;
                if (current == null || expiresSoon(current)) {
                    current = authenticate();
                    token = current;
                }
            }
        }
        return current;
    }

    /**
     * Keystone may issue tokens that live shorter than our margin: then a token is replaced once it is past half its
     * life, so that it is neither fetched again for every call nor used up to its last second.
     */
    private static boolean expiresSoon(KeystoneToken token) {
        Instant expires = token.getExpires().toInstant();
        Instant issued = token.getIssuedAt() == null ? expires.minus(TOKEN_MARGIN.multipliedBy(2)) : token.getIssuedAt().toInstant();
        Duration margin = Duration.between(issued, expires).compareTo(TOKEN_MARGIN.multipliedBy(2)) < 0
                ? Duration.between(issued, expires).dividedBy(2) : TOKEN_MARGIN;
        return expires.minus(margin).isBefore(Instant.now());
    }

    /** Forgets the token (Glance refused it): the next {@link #token()} authenticates again. */
    public void discardToken() {
        token = null;
    }

    /** The project the token is scoped to. */
    public String projectId() {
        KeystoneToken current = token();
        return current.getProject() == null ? null : current.getProject().getId();
    }

    public Facing facing() {
        return switch (cloud.interfaceName() == null ? "public" : cloud.interfaceName()) {
            case "internal" -> Facing.INTERNAL;
            case "admin" -> Facing.ADMIN;
            default -> Facing.PUBLIC;
        };
    }

    /** The catalog's endpoint of {@code type} in the cloud's region and interface, ending in a slash. */
    public URI endpoint(String type) {
        KeystoneToken current = token();
        for (Service service : current.getCatalog()) {
            if (!type.equals(service.getType())) {
                continue;
            }
            for (Endpoint endpoint : service.getEndpoints()) {
                boolean region = cloud.regionName() == null || cloud.regionName().equals(endpoint.getRegion())
                        || cloud.regionName().equals(endpoint.getRegionId());
                if (region && endpoint.getIface() == facing()) {
                    String url = endpoint.getUrl().toString();
                    return URI.create(url.endsWith("/") ? url : url + "/");
                }
            }
        }
        throw new GlanceException("cloud '" + cloud.name() + "' has no " + facing() + " " + type + " endpoint"
                + (cloud.regionName() == null ? "" : " in region " + cloud.regionName()) + " in its catalog", 0);
    }

    private KeystoneToken authenticate() {
        URI tokens = identityRoot().resolve("auth/tokens");
        HttpRequest request = HttpRequest.newBuilder(tokens)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(EventJson.encode(Map.of("auth", authBody()))))
                .timeout(Duration.ofSeconds(60))
                .build();
        String failed = "authentication to cloud '" + cloud.name() + "' failed: ";
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (SSLException e) {
            throw new GlanceException(failed + "the TLS certificate of " + tokens.getAuthority() + " is not trusted ("
                    + (cloud.tls().cacert() == null ? "no cacert given, the JDK's trust store" : "cacert " + cloud.tls().cacert())
                    + "): " + rootMessage(e), 0, e);
        } catch (IOException e) {
            throw new GlanceException(failed + "cannot reach " + tokens + ": " + rootMessage(e), 0, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GlanceException(failed + "interrupted", 0, e);
        }
        if (response.statusCode() != 201 && response.statusCode() != 200) {
            // Keystone's answer never echoes the secret; its message says what it refused
            throw new GlanceException(failed + "HTTP " + response.statusCode() + " " + keystoneMessage(response.body()),
                    response.statusCode() == 401 ? 401 : response.statusCode());
        }
        String id = response.headers().firstValue("X-Subject-Token")
                .orElseThrow(() -> new GlanceException(failed + "Keystone sent no X-Subject-Token", 0));
        try {
            KeystoneToken parsed = ObjectMapperSingleton.getContext(KeystoneToken.class).readValue(response.body(), KeystoneToken.class);
            parsed.setId(id);
            parsed.setEndpoint(identityRoot().toString());
            if (parsed.getCatalog() == null) {
                throw new GlanceException(failed + "the token has no catalog (is it scoped to a project?)", 0);
            }
            return parsed;
        } catch (IOException e) {
            throw new GlanceException(failed + "cannot read Keystone's token: " + e.getClass().getSimpleName(), 0, e);
        }
    }

    /** The auth URL as Keystone v3's root, whether clouds.yaml gives it with {@code /v3} or without. */
    private URI identityRoot() {
        String url = cloud.authUrl().endsWith("/") ? cloud.authUrl() : cloud.authUrl() + "/";
        return URI.create(url.endsWith("/v3/") ? url : url + "v3/");
    }

    /** The {@code auth} object of {@code POST /v3/auth/tokens} for the cloud's auth type. */
    private Map<String, Object> authBody() {
        Map<String, Object> identity = new LinkedHashMap<>();
        Map<String, Object> auth = new LinkedHashMap<>();
        auth.put("identity", identity);
        switch (cloud.auth()) {
            case CloudConfig.Password p -> {
                if (p.password() == null) {
                    throw new GlanceException("cloud '" + cloud.name() + "' has no password in clouds.yaml (nor secure.yaml)", 0);
                }
                identity.put("methods", List.of("password"));
                Map<String, Object> user = user(p.user());
                user.put("password", p.password().value());
                identity.put("password", Map.of("user", user));
            }
            case CloudConfig.ApplicationCredential a -> {
                identity.put("methods", List.of("application_credential"));
                Map<String, Object> credential = new LinkedHashMap<>();
                if (a.id() != null) {
                    credential.put("id", a.id());
                } else {
                    credential.put("name", a.name());
                    credential.put("user", user(a.user()));
                }
                credential.put("secret", a.secret().value());
                identity.put("application_credential", credential);
            }
            case CloudConfig.Token t -> {
                identity.put("methods", List.of("token"));
                identity.put("token", Map.of("id", t.token().value()));
            }
        }
        CloudConfig.Scope scope = cloud.scope();
        if (scope != null && (scope.projectId() != null || scope.projectName() != null)) {
            Map<String, Object> project = new LinkedHashMap<>();
            if (scope.projectId() != null) {
                project.put("id", scope.projectId());
            } else {
                project.put("name", scope.projectName());
                project.put("domain", scope.domainId() != null ? Map.of("id", scope.domainId()) : Map.of("name", scope.domainName()));
            }
            auth.put("scope", Map.of("project", project));
        }
        return auth;
    }

    private static Map<String, Object> user(CloudConfig.User user) {
        Map<String, Object> json = new LinkedHashMap<>();
        if (user.id() != null) {
            json.put("id", user.id());
        } else {
            json.put("name", user.name());
            json.put("domain", user.domainId() != null ? Map.of("id", user.domainId()) : Map.of("name", user.domainName()));
        }
        return json;
    }

    /**
     * The ids of the projects the share options name: each project (name or id) and every project of each domain
     * (name or id). The credentials must be allowed to list projects and domains there (such as admin). Anything not
     * found is an error, never an empty answer: too few projects would unshare images.
     */
    public Set<String> resolveProjects(Collection<String> projects, Collection<String> domains) {
        Set<String> ids = new TreeSet<>();
        projects.forEach(project -> ids.add(keystoneId("projects", project)));
        for (String domain : domains) {
            String domainId = keystoneId("domains", domain);
            JsonNode answer = identity("projects?domain_id=" + query(domainId), "projects of domain " + domain);
            if (answer.path("truncated").asBoolean(false)) {
                // Keystone's list_limit cut the list: sharing with part of a domain would look like a removal
                throw new GlanceException("Keystone truncated the projects of domain " + domain + " (list_limit)", 0);
            }
            answer.path("projects").forEach(p -> ids.add(p.path("id").asText()));
        }
        return ids;
    }

    /**
     * A project or domain by name or by id. A project name is unique only within its domain: one found in several
     * domains must be given by id.
     */
    private String keystoneId(String collection, String nameOrId) {
        String kind = collection.substring(0, collection.length() - 1);
        JsonNode named = identity(collection + "?name=" + query(nameOrId), collection + " named " + nameOrId).path(collection);
        if (named.size() > 1) {
            List<String> domains = new ArrayList<>();
            named.forEach(p -> domains.add(p.path("domain_id").asText()));
            throw new GlanceException(kind + " name '" + nameOrId + "' is ambiguous (domains " + domains + "): give its id", 0);
        }
        if (named.size() == 1) {
            return named.get(0).path("id").asText();
        }
        try {
            return identity(collection + "/" + segment(nameOrId), kind + " " + nameOrId).path(kind).path("id").asText();
        } catch (GlanceException e) {
            if (e.status() == 404) {
                throw new GlanceException("Keystone knows no " + kind + " '" + nameOrId + "' (by name or id)", 404, e);
            }
            throw e;
        }
    }

    /** GET on Keystone's v3 API, from the catalog's identity endpoint (some clouds list it without the version). */
    private JsonNode identity(String pathAndQuery, String what) {
        String url = endpoint("identity").toString();
        URI root = URI.create(url.endsWith("/v3/") ? url : url + "v3/");
        HttpRequest request = HttpRequest.newBuilder(root.resolve(pathAndQuery)).header("X-Auth-Token", token().getId())
                .GET().build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new GlanceException("Keystone: " + what + ": HTTP " + response.statusCode() + " "
                        + keystoneMessage(response.body()), response.statusCode());
            }
            return EventJson.decode(response.body(), JsonNode.class);
        } catch (IOException e) {
            throw new GlanceException("Keystone: " + what + " failed: " + rootMessage(e), 0, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GlanceException("Keystone: " + what + " interrupted", 0, e);
        }
    }

    private static String keystoneMessage(String body) {
        try {
            JsonNode error = EventJson.decode(body, JsonNode.class).path("error");
            if (error.has("message")) {
                return error.path("message").asText();
            }
        } catch (RuntimeException ignored) {
            // not Keystone's JSON (a proxy's page): the start of it
        }
        return body == null ? "" : body.length() > 200 ? body.substring(0, 200) + "…" : body;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    private static String query(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public void close() {
        http.close();
    }
}
