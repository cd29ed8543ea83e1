package org.imagemanager.glance;

import org.imagemanager.event.EventJson;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;

/**
 * Glance's interoperable image import, which openstack4j does not cover: which methods a cloud allows
 * ({@code GET /v2/info/import}), staging data ({@code PUT /v2/images/{id}/stage}, streamed) and starting an import
 * ({@code POST /v2/images/{id}/import}) with {@code glance-direct} or {@code web-download}. Same token, same
 * endpoint as the rest of {@link GlanceClient}.
 */
public final class GlanceImports {
    public static final String GLANCE_DIRECT = "glance-direct";
    public static final String WEB_DOWNLOAD = "web-download";

    private final GlanceClient glance;

    GlanceImports(GlanceClient glance) {
        this.glance = glance;
    }

    /** The import methods this cloud enables (empty where the import API is off or forbidden). */
    @SuppressWarnings("unchecked")
    public List<String> methods() {
        try {
            String body = glance.exchange(glance.authorized(glance.endpoint("v2/info/import")).GET(), "GET /v2/info/import").body();
            Map<String, Object> info = EventJson.decode(body, Map.class);
            Object methods = ((Map<String, Object>) info.getOrDefault("import-methods", Map.of())).get("value");
            return methods instanceof List<?> list ? list.stream().map(String::valueOf).toList() : List.of();
        } catch (IOException | GlanceException e) {
            return List.of();
        }
    }

    /** Streams the data into Glance's staging area (chunked; never whole in memory). */
    public void stage(String imageId, InputStream data) throws IOException {
        glance.exchange(glance.authorized(glance.endpoint("v2/images/" + imageId + "/stage"))
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> data)), "staging image " + imageId);
    }

    /** Imports what was staged ({@code glance-direct}); Glance may convert it (e.g. qcow2 → raw). */
    public void importStaged(String imageId) throws IOException {
        start(imageId, Map.of("name", GLANCE_DIRECT));
    }

    /** Lets Glance download the image itself ({@code web-download}). */
    public void webDownload(String imageId, String uri) throws IOException {
        start(imageId, Map.of("name", WEB_DOWNLOAD, "uri", uri));
    }

    private void start(String imageId, Map<String, String> method) throws IOException {
        String body = EventJson.encode(Map.of("method", method));
        glance.exchange(glance.authorized(glance.endpoint("v2/images/" + imageId + "/import"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)), method.get("name") + " import of image " + imageId);
    }
}
