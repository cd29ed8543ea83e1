package org.imagemanager.glance;

import org.imagemanager.event.EventJson;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;

/**
 * {@link GlanceImports} over HTTP: {@code GET /v2/info/import}, {@code PUT /v2/images/{id}/stage} (streamed) and
 * {@code POST /v2/images/{id}/import}. Same token, same endpoint as the rest of {@link GlanceClient}.
 */
final class HttpImports implements GlanceImports {
    private final GlanceClient glance;

    HttpImports(GlanceClient glance) {
        this.glance = glance;
    }

    @Override
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

    @Override
    public void stage(String imageId, InputStream data) throws IOException {
        glance.exchange(glance.authorized(glance.endpoint("v2/images/" + imageId + "/stage"))
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> data)), "staging image " + imageId);
    }

    @Override
    public void importStaged(String imageId) throws IOException {
        start(imageId, Map.of("name", GLANCE_DIRECT));
    }

    @Override
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
