package org.imagemanager.glance;

import com.fasterxml.jackson.databind.JsonNode;
import org.imagemanager.cloud.CloudConfig;
import org.imagemanager.event.EventJson;
import org.imagemanager.plan.ObservedImage;
import org.openstack4j.api.OSClient;
import org.openstack4j.api.types.Facing;
import org.openstack4j.model.common.ActionResponse;
import org.openstack4j.model.common.Identifier;
import org.openstack4j.model.identity.v3.Endpoint;
import org.openstack4j.model.identity.v3.Service;
import org.openstack4j.model.identity.v3.Token;
import org.openstack4j.model.image.v2.ContainerFormat;
import org.openstack4j.model.image.v2.DiskFormat;
import org.openstack4j.model.image.v2.Image;
import org.openstack4j.model.image.v2.builder.ImageBuilder;
import org.openstack4j.api.Builders;
import org.openstack4j.openstack.OSFactory;
import org.openstack4j.openstack.image.v2.domain.GlanceImage;

import java.io.IOException;
import java.io.InputStream;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Glance v2 for one cloud (and the little of Keystone the share options need). Metadata calls go through
 * openstack4j (Keystone v3 auth, catalog, image API).
 *
 * <p>Image data travels through a small extension on the JDK's HTTP client with the same token: every
 * openstack4j connector buffers an {@code InputStream} payload whole (in memory or a temp file) before sending it,
 * which would break our promise that an image never sits whole anywhere. {@code PUT /file} here is chunked and
 * streamed, and {@code GET /file} hands back the response stream.
 */
public final class GlanceClient {
    private static final Duration TOKEN_MARGIN = Duration.ofMinutes(5);
    private static final int PAGE = 200;

    private final CloudConfig cloud;
    private final HttpClient http;
    private volatile Token token;

    public GlanceClient(CloudConfig cloud) {
        this.cloud = cloud;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(20))
                .build();
    }

    public String cloudName() {
        return cloud.name();
    }

    /** The project the credentials are scoped to: images of other projects are only considered when public. */
    public String projectId() {
        os();
        return token.getProject() == null ? null : token.getProject().getId();
    }

    /**
     * Every image that carries {@code tag} (any visibility, hidden or not), all pages, shared ones with their
     * members. Glance lists hidden images only when asked for them alone ({@code os_hidden=true}), so this asks twice.
     */
    public List<ObservedImage> listImages(String tag) {
        List<ObservedImage> images = new ArrayList<>();
        for (String hidden : List.of("false", "true")) {
            images.addAll(list(Map.of("tag", tag, "visibility", "all", "os_hidden", hidden)));
        }
        return images;
    }

    private List<ObservedImage> list(Map<String, String> filter) {
        List<ObservedImage> images = new ArrayList<>();
        String marker = null;
        while (true) {
            Map<String, String> query = new HashMap<>(filter);
            query.put("limit", String.valueOf(PAGE));
            if (marker != null) {
                query.put("marker", marker);
            }
            List<? extends Image> page = os().imagesV2().list(query);
            page.forEach(image -> images.add(observe(image)));
            if (page.size() < PAGE) {
                return images;
            }
            marker = page.get(page.size() - 1).getId();
        }
    }

    /** Every image called {@code name} that this project can see, managed or not. */
    public List<ObservedImage> listImagesNamed(String name) {
        List<ObservedImage> images = new ArrayList<>();
        for (String hidden : List.of("false", "true")) {
            images.addAll(list(Map.of("name", name, "visibility", "all", "os_hidden", hidden)));
        }
        return images;
    }

    /**
     * The images that hold {@code name} for this project's users: its own and public ones. (An admin lists every
     * project's images, but another project's private image does not take a name from this one.)
     */
    public List<ObservedImage> nameHolders(String name) {
        String project = projectId();
        return listImagesNamed(name).stream().filter(image -> image.visibleTo(project)).toList();
    }

    /**
     * What a plan observes: the managed images, and whoever else holds the plain name of a {@code multi: true} family
     * (unmanaged, or under another tool's tag, like a build the reference tool already renamed). Such a holder keeps
     * the name for good, so the plan blocks the import at once instead of importing a copy that could never take it.
     * (Names of new imports are checked again by the importer, right before it creates the image.)
     */
    public List<ObservedImage> observedForPlanning(String tag, java.util.Collection<org.imagemanager.definition.ImageDefinition> definitions) {
        List<ObservedImage> observed = new ArrayList<>(listImages(tag));
        Set<String> known = new java.util.HashSet<>();
        observed.forEach(image -> known.add(image.id()));
        for (org.imagemanager.definition.ImageDefinition definition : definitions) {
            if (definition.hasRotatingName()) {
                nameHolders(definition.name()).stream().filter(holder -> known.add(holder.id())).forEach(observed::add);
            }
        }
        return observed;
    }

    public Optional<ObservedImage> get(String imageId) {
        Image image = os().imagesV2().get(imageId);
        return Optional.ofNullable(image).map(this::observe);
    }

    /** Creates a private, queued image and returns its id. */
    public String create(NewImage spec) {
        ImageBuilder builder = Builders.imageV2()
                .id(spec.id())
                .name(spec.name())
                .diskFormat(DiskFormat.value(spec.diskFormat()))
                .containerFormat(ContainerFormat.BARE)
                .visibility(Image.ImageVisibility.PRIVATE)
                .minDisk((long) spec.minDisk())
                .minRam((long) spec.minRam())
                .tags(spec.tags());
        // openstack4j drops these from additional properties (its model has fields for them), so set them there.
        spec.properties().forEach((key, value) -> {
            switch (key) {
                case "architecture" -> builder.architecture(value);
                case "os_distro" -> builder.osDistro(value);
                case "os_version" -> builder.osVersion(value);
                case "kernel_id" -> builder.kernelId(value);
                case "ramdisk_id" -> builder.ramdiskId(value);
                case "instance_uuid" -> builder.instanceUuid(value);
                default -> builder.additionalProperty(key, value);
            }
        });
        Image created = os().imagesV2().create(builder.build());
        if (created == null || created.getId() == null) {
            throw new GlanceException("Glance refused to create image '" + spec.name() + "'", 0);
        }
        return created.getId();
    }

    /**
     * Creates an image (no data) with the fixed id in {@code image} ({@code POST /v2/images}): true when this call
     * made it, false when Glance already has, or once had, an image with that id (409). Glance never hands out an id
     * twice, not even a deleted image's, so exactly one caller in the world can win a given id: the primitive our
     * family claims rest on. (openstack4j answers a 409 with null like any other refusal, hence the JDK client.)
     */
    public boolean createIfAbsent(Map<String, Object> image) {
        HttpRequest.Builder request = authorized(imageEndpoint().resolve("v2/images"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(EventJson.encode(image)));
        String what = "create of image " + image.get("id");
        try {
            exchange(request, what);
            return true;
        } catch (GlanceException e) {
            if (e.status() == 409) {
                return false;
            }
            throw e;
        } catch (IOException e) {
            throw new GlanceException(what + " failed: " + e.getMessage(), 0, e);
        }
    }

    /** Streams {@code data} into the image ({@code PUT /v2/images/{id}/file}, chunked). */
    public void upload(String imageId, InputStream data) throws IOException {
        exchange(authorized(imageFileUri(imageId))
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> data)), "upload of image " + imageId);
    }

    /** The interoperable import calls openstack4j lacks ({@code /info/import}, {@code /stage}, {@code /import}). */
    public GlanceImports imports() {
        return new GlanceImports(this);
    }

    /** Sends a request to Glance; anything but 2xx becomes a {@link GlanceException} naming {@code what}. */
    HttpResponse<String> exchange(HttpRequest.Builder request, String what) throws IOException {
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(what + " interrupted", e);
        }
        if (response.statusCode() / 100 != 2) {
            throw new GlanceException(what + " refused: HTTP " + response.statusCode() + " " + abbreviate(response.body()),
                    response.statusCode());
        }
        return response;
    }

    URI endpoint(String path) {
        return imageEndpoint().resolve(path);
    }

    /** The image's bytes as a stream ({@code GET /v2/images/{id}/file}); the caller closes it. */
    public InputStream download(String imageId) throws IOException {
        HttpRequest request = authorized(imageFileUri(imageId)).GET().build();
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                response.body().close();
                throw new GlanceException("download of image " + imageId + ": HTTP " + response.statusCode(), response.statusCode());
            }
            return response.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("download interrupted", e);
        }
    }

    /** Deletes the image; an image that is already gone counts as deleted. */
    public void delete(String imageId) {
        ActionResponse response = os().imagesV2().delete(imageId);
        if (!response.isSuccess() && response.getCode() != 404) {
            throw new GlanceException("delete of image " + imageId + " failed: " + response.getFault(), response.getCode());
        }
    }

    public void rename(String imageId, String name) {
        patch(imageId, List.of(PatchOp.replace("/name", name)));
    }

    public void setVisibility(String imageId, String visibility) {
        patch(imageId, List.of(PatchOp.replace("/visibility", visibility)));
    }

    public void setHidden(String imageId, boolean hidden) {
        patch(imageId, List.of(PatchOp.replace("/os_hidden", hidden)));
    }

    public void setMinimums(String imageId, int minDisk, int minRam) {
        patch(imageId, List.of(PatchOp.replace("/min_disk", minDisk), PatchOp.replace("/min_ram", minRam)));
    }

    /** Adds or changes properties ({@code add} replaces an existing value in JSON-patch). */
    public void setProperties(String imageId, Map<String, String> properties) {
        if (!properties.isEmpty()) {
            patch(imageId, properties.entrySet().stream().map(e -> PatchOp.add("/" + e.getKey(), e.getValue())).toList());
        }
    }

    public void removeProperties(String imageId, Collection<String> keys) {
        if (!keys.isEmpty()) {
            patch(imageId, keys.stream().map(key -> PatchOp.remove("/" + key)).toList());
        }
    }

    public void addTag(String imageId, String tag) {
        check(os().imagesV2().updateTag(imageId, tag), "add tag " + tag + " to image " + imageId);
    }

    public void removeTag(String imageId, String tag) {
        ActionResponse response = os().imagesV2().deleteTag(imageId, tag);
        if (response.getCode() != 404) {
            check(response, "remove tag " + tag + " from image " + imageId);
        }
    }

    public void deactivate(String imageId) {
        check(os().imagesV2().deactivate(imageId), "deactivate image " + imageId);
    }

    public void reactivate(String imageId) {
        check(os().imagesV2().reactivate(imageId), "reactivate image " + imageId);
    }

    /**
     * The members of a shared image. This and the other member calls go through the extension: openstack4j's
     * member calls work against Glance 25, but answer a refusal in three ways (null for a 404, an exception for a
     * 403, a failed ActionResponse from a delete), while the rotator must tell a 403 (accepting on another
     * project's behalf without the admin role) from the rest. Here every refusal is a {@link GlanceException} with
     * its HTTP status.
     */
    public List<ObservedImage.Member> members(String imageId) {
        JsonNode answer = json(call(authorized(membersUri(imageId)).GET(), "members of image " + imageId, 200));
        List<ObservedImage.Member> members = new ArrayList<>();
        answer.path("members").forEach(m -> members.add(new ObservedImage.Member(m.path("member_id").asText(),
                m.path("status").asText())));
        return members;
    }

    /** Makes the project a member (pending); Glance refuses it (403) unless the image is shared. */
    public void addMember(String imageId, String projectId) {
        call(authorized(membersUri(imageId))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(EventJson.encode(Map.of("member", projectId)))),
                "add member " + projectId + " to image " + imageId, 200);
    }

    /**
     * Sets a member's status ({@code accepted}, {@code pending}, {@code rejected}). The member project itself may,
     * and an admin on its behalf; the image's owner may not (403).
     */
    public void setMemberStatus(String imageId, String projectId, String status) {
        call(authorized(membersUri(imageId).resolve("members/" + segment(projectId)))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(EventJson.encode(Map.of("status", status)))),
                "set member " + projectId + " of image " + imageId + " to " + status, 200);
    }

    /** Removes the member; a member that is already gone counts as removed. */
    public void removeMember(String imageId, String projectId) {
        try {
            call(authorized(membersUri(imageId).resolve("members/" + segment(projectId))).DELETE(),
                    "remove member " + projectId + " from image " + imageId, 204);
        } catch (GlanceException e) {
            if (e.status() != 404) {
                throw e;
            }
        }
    }

    private URI membersUri(String imageId) {
        return imageEndpoint().resolve("v2/images/" + segment(imageId) + "/members");
    }

    /**
     * The ids of the projects the share options name: each project (name or id) and every project of each domain
     * (name or id), from Keystone. The credentials must be allowed to list projects and domains there (such as
     * admin). Anything not found is an error, never an empty answer: too few projects would unshare images.
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

    private JsonNode identity(String pathAndQuery, String what) {
        return json(call(authorized(identityEndpoint().resolve(pathAndQuery)).GET(), "Keystone: " + what, 200));
    }

    private static JsonNode json(HttpResponse<String> response) {
        return EventJson.decode(response.body(), JsonNode.class);
    }

    private static String query(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static void check(ActionResponse response, String what) {
        if (!response.isSuccess()) {
            throw new GlanceException(what + " failed: HTTP " + response.getCode() + " " + response.getFault(), response.getCode());
        }
    }

    /** One JSON-patch operation. */
    private record PatchOp(String op, String path, Object value) {
        static PatchOp replace(String path, Object value) {
            return new PatchOp("replace", path, value);
        }

        static PatchOp add(String path, Object value) {
            return new PatchOp("add", path, value);
        }

        static PatchOp remove(String path) {
            return new PatchOp("remove", path, null);
        }

        Map<String, Object> json() {
            Map<String, Object> json = new java.util.LinkedHashMap<>();
            json.put("op", op);
            json.put("path", path);
            if (!op.equals("remove")) {
                json.put("value", value);
            }
            return json;
        }
    }

    /**
     * JSON-patch on the image ({@code PATCH /v2/images/{id}}). openstack4j's update sends a media type Glance
     * refuses ("415 Unsupported Media Type") and knows nothing of {@code os_hidden}, so this goes through the
     * data-plane extension with Glance's {@code application/openstack-images-v2.1-json-patch}.
     */
    private void patch(String imageId, List<PatchOp> ops) {
        String body = EventJson.encode(ops.stream().map(PatchOp::json).toList());
        call(authorized(imageEndpoint().resolve("v2/images/" + imageId))
                .header("Content-Type", "application/openstack-images-v2.1-json-patch")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(body)),
                "update of image " + imageId + " " + ops.stream().map(PatchOp::path).toList(), 200);
    }

    /** {@link #exchange} for metadata calls: exactly {@code status} expected, any failure a {@link GlanceException}. */
    private HttpResponse<String> call(HttpRequest.Builder request, String what, int status) {
        try {
            HttpResponse<String> response = exchange(request, what);
            if (response.statusCode() != status) {
                throw new GlanceException(what + ": HTTP " + response.statusCode() + " " + abbreviate(response.body()),
                        response.statusCode());
            }
            return response;
        } catch (IOException e) {
            throw new GlanceException(what + " failed: " + e.getMessage(), 0, e);
        }
    }

    private OSClient.OSClientV3 os() {
        Token current = token;
        if (current == null || current.getExpires().toInstant().minus(TOKEN_MARGIN).isBefore(Instant.now())) {
            synchronized (this) {
                current = token;
                if (current == null || current.getExpires().toInstant().minus(TOKEN_MARGIN).isBefore(Instant.now())) {
                    current = authenticate();
                    token = current;
                }
            }
        }
        OSClient.OSClientV3 client = OSFactory.clientFromToken(current, facing());
        return cloud.regionName() == null ? client : client.useRegion(cloud.regionName());
    }

    private Token authenticate() {
        if (cloud.password() == null) {
            throw new GlanceException("cloud '" + cloud.name() + "' has no password in clouds.yaml", 0);
        }
        var builder = OSFactory.builderV3()
                .endpoint(cloud.authUrl())
                .credentials(cloud.username(), cloud.password().value(), Identifier.byName(cloud.userDomainName()))
                .perspective(facing());
        if (cloud.projectId() != null) {
            builder.scopeToProject(Identifier.byId(cloud.projectId()));
        } else {
            builder.scopeToProject(Identifier.byName(cloud.projectName()), Identifier.byName(cloud.projectDomainName()));
        }
        try {
            return builder.authenticate().getToken();
        } catch (RuntimeException e) {
            // openstack4j's messages never contain the password; keep only the message, not the request.
            throw new GlanceException("authentication to cloud '" + cloud.name() + "' failed: " + e.getMessage(), 401);
        }
    }

    private Facing facing() {
        return switch (cloud.interfaceName() == null ? "public" : cloud.interfaceName()) {
            case "internal" -> Facing.INTERNAL;
            case "admin" -> Facing.ADMIN;
            default -> Facing.PUBLIC;
        };
    }

    private URI imageEndpoint() {
        return endpointOf("image");
    }

    /** Keystone's v3 API: the catalog's identity endpoint, which some clouds list without the version. */
    private URI identityEndpoint() {
        String url = endpointOf("identity").toString();
        return URI.create(url.endsWith("/v3/") ? url : url + "v3/");
    }

    private URI endpointOf(String type) {
        os();
        for (Service service : token.getCatalog()) {
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
        throw new GlanceException("cloud '" + cloud.name() + "' has no " + facing() + " " + type + " endpoint in its catalog", 0);
    }

    private URI imageFileUri(String imageId) {
        return imageEndpoint().resolve("v2/images/" + imageId + "/file");
    }

    HttpRequest.Builder authorized(URI uri) {
        os();
        return HttpRequest.newBuilder(uri).header("X-Auth-Token", token.getId());
    }

    /**
     * openstack4j's model knows only public and private visibility (shared and community come back as UNKNOWN);
     * for those the real value is read from Glance's JSON. A shared image costs one more call, for its members.
     */
    private ObservedImage observe(Image image) {
        ObservedImage observed = toObserved(image);
        if (image.getVisibility() != null && image.getVisibility() != Image.ImageVisibility.UNKNOWN) {
            return observed;
        }
        String visibility = rawField(image.getId(), "visibility");
        ObservedImage withVisibility = new ObservedImage(observed.id(), observed.name(), observed.status(), visibility,
                observed.diskFormat(), observed.properties(), observed.tags(), observed.createdAt(), observed.owner(),
                observed.sizeBytes(), observed.minDisk(), observed.minRam(), observed.hidden());
        return "shared".equals(visibility) ? withVisibility.withMembers(members(image.getId())) : withVisibility;
    }

    private String rawField(String imageId, String field) {
        String body = call(authorized(imageEndpoint().resolve("v2/images/" + imageId)).GET(), "GET image " + imageId, 200).body();
        Object value = EventJson.decode(body, Map.class).get(field);
        return value == null ? null : value.toString();
    }

    static ObservedImage toObserved(Image image) {
        Map<String, String> properties = new HashMap<>();
        if (image instanceof GlanceImage glance && glance.getAdditionalProperties() != null) {
            // a queued image reports e.g. os_hash_value: null; a property without a value is no property
            glance.getAdditionalProperties().forEach((key, value) -> putIfPresent(properties, key, value));
        }
        // openstack4j lifts these well-known properties out of the property map into fields of its model.
        putIfPresent(properties, "architecture", image.getArchitecture());
        putIfPresent(properties, "os_distro", image.getOsDistro());
        putIfPresent(properties, "os_version", image.getOsVersion());
        putIfPresent(properties, "kernel_id", image.getKernelId());
        putIfPresent(properties, "ramdisk_id", image.getRamdiskId());
        putIfPresent(properties, "instance_uuid", image.getInstanceUuid());
        boolean hidden = Boolean.parseBoolean(properties.remove("os_hidden"));
        return new ObservedImage(image.getId(), image.getName(),
                image.getStatus() == null ? null : image.getStatus().value(),
                image.getVisibility() == null ? null : image.getVisibility().value(),
                image.getDiskFormat() == null ? null : image.getDiskFormat().value(),
                properties, image.getTags(),
                image.getCreatedAt() == null ? null : image.getCreatedAt().toInstant(),
                image.getOwner(), image.getSize(),
                image.getMinDisk() == null ? 0 : image.getMinDisk().intValue(),
                image.getMinRam() == null ? 0 : image.getMinRam().intValue(), hidden);
    }

    private static void putIfPresent(Map<String, String> properties, String key, String value) {
        if (value != null) {
            properties.put(key, value);
        }
    }

    private static String abbreviate(String body) {
        return body == null ? "" : body.length() > 300 ? body.substring(0, 300) + "…" : body;
    }
}
