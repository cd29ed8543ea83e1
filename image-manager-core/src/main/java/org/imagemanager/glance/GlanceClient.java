package org.imagemanager.glance;

import com.fasterxml.jackson.databind.JsonNode;
import org.imagemanager.cloud.CloudConfig;
import org.imagemanager.event.EventJson;
import org.imagemanager.keystone.KeystoneClient;
import org.imagemanager.plan.ObservedImage;

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

/**
 * Glance v2 for one cloud, through the JDK's HTTP client with the token and endpoint of the cloud's
 * {@link KeystoneClient} and its TLS settings. openstack4j's image API served once and no longer does: its connectors
 * buffer an {@code InputStream} payload whole before sending it (an image must never sit whole anywhere), it sends a
 * JSON-patch media type Glance refuses, it knows only public and private visibility, it answers a refusal with null
 * (a 409 on a fixed id looked like any error), and its okhttp connector cannot take a private CA on JDK 9+
 * ({@code sslSocketFactory(SSLSocketFactory)} is unsupported), so {@code cacert} could not apply to it. Every call
 * here is one request with one error type, {@link GlanceException}, carrying the HTTP status.
 */
public final class GlanceClient implements Glance {
    private static final int PAGE = 200;

    private final KeystoneClient keystone;
    private final HttpClient http;

    public GlanceClient(CloudConfig cloud) {
        this(new KeystoneClient(cloud));
    }

    public GlanceClient(KeystoneClient keystone) {
        this.keystone = keystone;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(keystone.ssl())
                .connectTimeout(Duration.ofSeconds(20))
                .build();
    }

    /** The cloud's Keystone (token, catalog, projects and domains). */
    public KeystoneClient keystone() {
        return keystone;
    }

    @Override
    public String cloudName() {
        return keystone.cloud().name();
    }

    /** The project the credentials are scoped to: images of other projects are only considered when public. */
    @Override
    public String projectId() {
        return keystone.projectId();
    }

    /**
     * Every image that carries {@code tag} (any visibility, hidden or not), all pages, shared ones with their
     * members. Glance lists hidden images only when asked for them alone ({@code os_hidden=true}), so this asks twice.
     */
    @Override
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
            String search = query.entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                    .collect(java.util.stream.Collectors.joining("&"));
            JsonNode page = json(call(authorized(imageEndpoint().resolve("v2/images?" + search)).GET(), "list of images", 200))
                    .path("images");
            page.forEach(image -> images.add(observe(image)));
            if (page.size() < PAGE) {
                return images;
            }
            marker = page.get(page.size() - 1).path("id").asText();
        }
    }

    /** Every image called {@code name} that this project can see, managed or not. */
    @Override
    public List<ObservedImage> listImagesNamed(String name) {
        List<ObservedImage> images = new ArrayList<>();
        for (String hidden : List.of("false", "true")) {
            images.addAll(list(Map.of("name", name, "visibility", "all", "os_hidden", hidden)));
        }
        return images;
    }

    @Override
    public Optional<ObservedImage> get(String imageId) {
        try {
            return Optional.of(observe(json(call(authorized(imageUri(imageId)).GET(), "GET image " + imageId, 200))));
        } catch (GlanceException e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Creates a private, queued image and returns its id. */
    @Override
    public String create(NewImage spec) {
        Map<String, Object> image = new java.util.LinkedHashMap<>();
        if (spec.id() != null) {
            image.put("id", spec.id());
        }
        image.put("name", spec.name());
        image.put("disk_format", spec.diskFormat());
        image.put("container_format", "bare");
        image.put("visibility", "private");
        image.put("min_disk", spec.minDisk());
        image.put("min_ram", spec.minRam());
        image.put("tags", spec.tags());
        spec.properties().forEach(image::putIfAbsent);
        HttpResponse<String> created = call(authorized(imageEndpoint().resolve("v2/images"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(EventJson.encode(image))), "create of image '" + spec.name() + "'", 201);
        return json(created).path("id").asText();
    }

    /**
     * Creates an image (no data) with the fixed id in {@code image} ({@code POST /v2/images}): true when this call
     * made it, false when Glance already has, or once had, an image with that id (409). Glance never hands out an id
     * twice, not even a deleted image's, so exactly one caller in the world can win a given id: the primitive our
     * family claims rest on. (openstack4j answers a 409 with null like any other refusal, hence the JDK client.)
     */
    @Override
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
    @Override
    public void upload(String imageId, InputStream data) throws IOException {
        exchange(authorized(imageFileUri(imageId))
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> data)), "upload of image " + imageId);
    }

    /** The interoperable import calls openstack4j lacks ({@code /info/import}, {@code /stage}, {@code /import}). */
    @Override
    public GlanceImports imports() {
        return new HttpImports(this);
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
    @Override
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
    @Override
    public void delete(String imageId) {
        try {
            call(authorized(imageUri(imageId)).DELETE(), "delete of image " + imageId, 204);
        } catch (GlanceException e) {
            if (e.status() != 404) {
                throw e;
            }
        }
    }

    @Override
    public void rename(String imageId, String name) {
        patch(imageId, List.of(PatchOp.replace("/name", name)));
    }

    @Override
    public void setVisibility(String imageId, String visibility) {
        patch(imageId, List.of(PatchOp.replace("/visibility", visibility)));
    }

    @Override
    public void setHidden(String imageId, boolean hidden) {
        patch(imageId, List.of(PatchOp.replace("/os_hidden", hidden)));
    }

    @Override
    public void setMinimums(String imageId, int minDisk, int minRam) {
        patch(imageId, List.of(PatchOp.replace("/min_disk", minDisk), PatchOp.replace("/min_ram", minRam)));
    }

    /** Adds or changes properties ({@code add} replaces an existing value in JSON-patch). */
    @Override
    public void setProperties(String imageId, Map<String, String> properties) {
        if (!properties.isEmpty()) {
            patch(imageId, properties.entrySet().stream().map(e -> PatchOp.add("/" + e.getKey(), e.getValue())).toList());
        }
    }

    @Override
    public void removeProperties(String imageId, Collection<String> keys) {
        if (!keys.isEmpty()) {
            patch(imageId, keys.stream().map(key -> PatchOp.remove("/" + key)).toList());
        }
    }

    @Override
    public void addTag(String imageId, String tag) {
        call(authorized(imageUri(imageId).resolve(segment(imageId) + "/tags/" + segment(tag)))
                .PUT(HttpRequest.BodyPublishers.noBody()), "add tag " + tag + " to image " + imageId, 204);
    }

    @Override
    public void removeTag(String imageId, String tag) {
        try {
            call(authorized(imageUri(imageId).resolve(segment(imageId) + "/tags/" + segment(tag))).DELETE(),
                    "remove tag " + tag + " from image " + imageId, 204);
        } catch (GlanceException e) {
            if (e.status() != 404) {
                throw e;
            }
        }
    }

    @Override
    public void deactivate(String imageId) {
        call(authorized(imageUri(imageId).resolve(segment(imageId) + "/actions/deactivate"))
                .POST(HttpRequest.BodyPublishers.noBody()), "deactivate image " + imageId, 204);
    }

    @Override
    public void reactivate(String imageId) {
        call(authorized(imageUri(imageId).resolve(segment(imageId) + "/actions/reactivate"))
                .POST(HttpRequest.BodyPublishers.noBody()), "reactivate image " + imageId, 204);
    }

    /**
     * The members of a shared image. This and the other member calls go through the extension: openstack4j's
     * member calls work against Glance 25, but answer a refusal in three ways (null for a 404, an exception for a
     * 403, a failed ActionResponse from a delete), while the rotator must tell a 403 (accepting on another
     * project's behalf without the admin role) from the rest. Here every refusal is a {@link GlanceException} with
     * its HTTP status.
     */
    @Override
    public List<ObservedImage.Member> members(String imageId) {
        JsonNode answer = json(call(authorized(membersUri(imageId)).GET(), "members of image " + imageId, 200));
        List<ObservedImage.Member> members = new ArrayList<>();
        answer.path("members").forEach(m -> members.add(new ObservedImage.Member(m.path("member_id").asText(),
                m.path("status").asText())));
        return members;
    }

    /** Makes the project a member (pending); Glance refuses it (403) unless the image is shared. */
    @Override
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
    @Override
    public void setMemberStatus(String imageId, String projectId, String status) {
        call(authorized(membersUri(imageId).resolve("members/" + segment(projectId)))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(EventJson.encode(Map.of("status", status)))),
                "set member " + projectId + " of image " + imageId + " to " + status, 200);
    }

    /** Removes the member; a member that is already gone counts as removed. */
    @Override
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

    /** The ids of the projects the share options name (see {@link KeystoneClient#resolveProjects}). */
    @Override
    public Set<String> resolveProjects(Collection<String> projects, Collection<String> domains) {
        return keystone.resolveProjects(projects, domains);
    }

    private static JsonNode json(HttpResponse<String> response) {
        return EventJson.decode(response.body(), JsonNode.class);
    }

    private static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
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
            HttpResponse<String> response;
            try {
                response = exchange(request, what);
            } catch (GlanceException e) {
                if (e.status() != 401) {
                    throw e;
                }
                // the token was revoked before its time (a password change, an event in the second it was issued):
                // a metadata call is tried once more with a new one (streamed data cannot be sent twice)
                keystone.discardToken();
                response = exchange(request.setHeader("X-Auth-Token", keystone.token().getId()), what);
            }
            if (response.statusCode() != status) {
                throw new GlanceException(what + ": HTTP " + response.statusCode() + " " + abbreviate(response.body()),
                        response.statusCode());
            }
            return response;
        } catch (IOException e) {
            throw new GlanceException(what + " failed: " + e.getMessage(), 0, e);
        }
    }

    private URI imageEndpoint() {
        return keystone.endpoint("image");
    }

    private URI imageUri(String imageId) {
        return imageEndpoint().resolve("v2/images/" + segment(imageId));
    }

    private URI imageFileUri(String imageId) {
        return imageEndpoint().resolve("v2/images/" + imageId + "/file");
    }

    HttpRequest.Builder authorized(URI uri) {
        return HttpRequest.newBuilder(uri).header("X-Auth-Token", keystone.token().getId());
    }

    /** Glance's own fields of an image; every other key of its JSON is a property. */
    private static final Set<String> FIELDS = Set.of("id", "name", "status", "visibility", "protected", "checksum",
            "owner", "size", "virtual_size", "min_disk", "min_ram", "container_format", "disk_format", "created_at",
            "updated_at", "tags", "self", "file", "schema", "locations", "direct_url", "os_hidden");

    /** An image as Glance's JSON has it; a shared one costs one more call, for its members. */
    private ObservedImage observe(JsonNode image) {
        Map<String, String> properties = new HashMap<>();
        image.fields().forEachRemaining(field -> {
            // a queued image reports e.g. os_hash_value: null; a property without a value is no property
            if (!FIELDS.contains(field.getKey()) && !field.getValue().isNull()) {
                properties.put(field.getKey(), field.getValue().isTextual() ? field.getValue().asText() : field.getValue().toString());
            }
        });
        List<String> tags = new ArrayList<>();
        image.path("tags").forEach(tag -> tags.add(tag.asText()));
        String created = text(image, "created_at");
        JsonNode size = image.get("size");
        ObservedImage observed = new ObservedImage(text(image, "id"), text(image, "name"), text(image, "status"),
                text(image, "visibility"), text(image, "disk_format"), properties, tags,
                created == null ? null : Instant.parse(created), text(image, "owner"),
                size == null || size.isNull() ? null : size.asLong(), image.path("min_disk").asInt(0),
                image.path("min_ram").asInt(0), image.path("os_hidden").asBoolean(false));
        return "shared".equals(observed.visibility()) ? observed.withMembers(members(observed.id())) : observed;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static String abbreviate(String body) {
        return body == null ? "" : body.length() > 300 ? body.substring(0, 300) + "…" : body;
    }

    /** Ends the connections to Glance and Keystone: idle clients' selector threads would hold a JVM's exit up. */
    @Override
    public void close() {
        http.close();
        keystone.close();
    }
}
