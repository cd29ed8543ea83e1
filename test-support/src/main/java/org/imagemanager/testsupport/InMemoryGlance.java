package org.imagemanager.testsupport;

import org.imagemanager.glance.Glance;
import org.imagemanager.glance.GlanceException;
import org.imagemanager.glance.GlanceImports;
import org.imagemanager.glance.NewImage;
import org.imagemanager.plan.ObservedImage;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One Glance in memory, behind the same interface as the real client, for fast unit tests of the services. It keeps
 * the rules the services rely on as the real Glance has them (and as the real-cloud tests assert): an id is handed
 * out once, even after a delete (409); an upload makes a queued image active with Glance's sha512 of the bytes;
 * members only on shared images (403 otherwise); a deleted image is gone. The bytes themselves are not kept.
 * {@link #refuse} makes the next call of one kind fail with a status, as a policy would.
 */
public final class InMemoryGlance implements Glance {
    private final String cloud;
    private final String project;
    private final Clock clock;
    private final Map<String, Image> images = new ConcurrentHashMap<>();
    private final Set<String> issued = ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> refusals = new ConcurrentHashMap<>();

    public InMemoryGlance(String cloud) {
        this(cloud, "project-of-" + cloud, Clock.systemUTC());
    }

    public InMemoryGlance(String cloud, String project, Clock clock) {
        this.cloud = cloud;
        this.project = project;
        this.clock = clock;
    }

    /** The next call named {@code operation} (e.g. "setVisibility", "create") fails with this HTTP status. */
    public void refuse(String operation, int status) {
        refusals.put(operation, status);
    }

    private void check(String operation) {
        Integer status = refusals.remove(operation);
        if (status != null) {
            throw new GlanceException(operation + " refused: HTTP " + status, status);
        }
    }

    /** Every image there is now (for assertions). */
    public List<ObservedImage> all() {
        return images.values().stream().map(Image::observed).sorted(java.util.Comparator.comparing(ObservedImage::id)).toList();
    }

    private static final class Image {
        String id;
        String name;
        String status = "queued";
        String visibility = "private";
        String diskFormat;
        Map<String, String> properties = new TreeMap<>();
        List<String> tags = new ArrayList<>();
        Instant createdAt;
        String owner;
        Long size;
        int minDisk;
        int minRam;
        boolean hidden;
        Map<String, String> members = new TreeMap<>();

        synchronized ObservedImage observed() {
            ObservedImage image = new ObservedImage(id, name, status, visibility, diskFormat, properties, tags, createdAt,
                    owner, size, minDisk, minRam, hidden);
            return "shared".equals(visibility) ? image.withMembers(members.entrySet().stream()
                    .map(e -> new ObservedImage.Member(e.getKey(), e.getValue())).toList()) : image;
        }
    }

    private Image image(String imageId) {
        Image image = images.get(imageId);
        if (image == null) {
            throw new GlanceException("image " + imageId + ": HTTP 404", 404);
        }
        return image;
    }

    @Override
    public String cloudName() {
        return cloud;
    }

    @Override
    public String projectId() {
        return project;
    }

    @Override
    public List<ObservedImage> listImages(String tag) {
        check("listImages");
        return all().stream().filter(image -> image.tags().contains(tag)).toList();
    }

    @Override
    public List<ObservedImage> listImagesNamed(String name) {
        return all().stream().filter(image -> name.equals(image.name())).toList();
    }

    @Override
    public Optional<ObservedImage> get(String imageId) {
        return Optional.ofNullable(images.get(imageId)).map(Image::observed);
    }

    @Override
    public String create(NewImage spec) {
        check("create");
        Map<String, Object> image = new LinkedHashMap<>(spec.properties());
        if (spec.id() != null) {
            image.put("id", spec.id());
        }
        image.put("name", spec.name());
        image.put("disk_format", spec.diskFormat());
        image.put("min_disk", spec.minDisk());
        image.put("min_ram", spec.minRam());
        image.put("tags", spec.tags());
        String id = spec.id() != null ? spec.id() : UUID.randomUUID().toString();
        image.put("id", id);
        if (!createIfAbsent(image)) {
            throw new GlanceException("create of image '" + spec.name() + "': HTTP 409 image " + id + " exists", 409);
        }
        return id;
    }

    @Override
    @SuppressWarnings("unchecked")
    public synchronized boolean createIfAbsent(Map<String, Object> fields) {
        // one step, as Glance's insert is: whoever is refused (409) finds the winner's image by id right after
        String id = String.valueOf(fields.get("id"));
        if (issued.contains(id)) {
            return false; // Glance never hands an id out twice, not even a deleted image's
        }
        Image image = new Image();
        image.id = id;
        image.owner = project;
        image.createdAt = clock.instant();
        fields.forEach((key, value) -> {
            switch (key) {
                case "id", "container_format" -> {
                }
                case "name" -> image.name = String.valueOf(value);
                case "disk_format" -> image.diskFormat = String.valueOf(value);
                case "visibility" -> image.visibility = String.valueOf(value);
                case "os_hidden" -> image.hidden = Boolean.parseBoolean(String.valueOf(value));
                case "min_disk" -> image.minDisk = ((Number) value).intValue();
                case "min_ram" -> image.minRam = ((Number) value).intValue();
                case "tags" -> image.tags = new ArrayList<>((Collection<String>) value);
                default -> image.properties.put(key, String.valueOf(value));
            }
        });
        images.put(id, image);
        issued.add(id);
        return true;
    }

    @Override
    public void upload(String imageId, InputStream data) throws IOException {
        check("upload");
        Image image = image(imageId);
        try {
            MessageDigest sha512 = MessageDigest.getInstance("SHA-512");
            long size = 0;
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = data.read(buffer)) >= 0; ) {
                sha512.update(buffer, 0, n);
                size += n;
            }
            synchronized (image) {
                image.size = size;
                image.status = "active";
                image.properties.put("os_hash_algo", "sha512");
                image.properties.put("os_hash_value", HexFormat.of().formatHex(sha512.digest()));
            }
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public GlanceImports imports() {
        return new GlanceImports() {
            @Override
            public List<String> methods() {
                return List.of(GlanceImports.GLANCE_DIRECT);
            }

            @Override
            public void stage(String imageId, InputStream data) throws IOException {
                upload(imageId, data);
                synchronized (image(imageId)) {
                    image(imageId).status = "uploading";
                }
            }

            @Override
            public void importStaged(String imageId) {
                synchronized (image(imageId)) {
                    image(imageId).status = "active";
                }
            }

            @Override
            public void webDownload(String imageId, String uri) {
                throw new GlanceException("web-download is not offered here", 400);
            }
        };
    }

    @Override
    public InputStream download(String imageId) throws IOException {
        throw new IOException("the in-memory Glance keeps no image data");
    }

    @Override
    public void delete(String imageId) {
        check("delete");
        images.remove(imageId);
    }

    private void change(String operation, String imageId, java.util.function.Consumer<Image> change) {
        check(operation);
        Image image = image(imageId);
        synchronized (image) {
            change.accept(image);
        }
    }

    @Override
    public void rename(String imageId, String name) {
        change("rename", imageId, image -> image.name = name);
    }

    @Override
    public void setVisibility(String imageId, String visibility) {
        change("setVisibility", imageId, image -> {
            image.visibility = visibility;
            if (!"shared".equals(visibility)) {
                image.members.clear(); // Glance shows members only on shared images
            }
        });
    }

    @Override
    public void setHidden(String imageId, boolean hidden) {
        change("setHidden", imageId, image -> image.hidden = hidden);
    }

    @Override
    public void setMinimums(String imageId, int minDisk, int minRam) {
        change("setMinimums", imageId, image -> {
            image.minDisk = minDisk;
            image.minRam = minRam;
        });
    }

    @Override
    public void setProperties(String imageId, Map<String, String> properties) {
        change("setProperties", imageId, image -> image.properties.putAll(properties));
    }

    @Override
    public void removeProperties(String imageId, Collection<String> keys) {
        change("removeProperties", imageId, image -> keys.forEach(image.properties::remove));
    }

    @Override
    public void addTag(String imageId, String tag) {
        change("addTag", imageId, image -> {
            if (!image.tags.contains(tag)) {
                image.tags.add(tag);
            }
        });
    }

    @Override
    public void removeTag(String imageId, String tag) {
        change("removeTag", imageId, image -> image.tags.remove(tag));
    }

    @Override
    public void deactivate(String imageId) {
        change("deactivate", imageId, image -> {
            if (!"active".equals(image.status) && !"deactivated".equals(image.status)) {
                throw new GlanceException("deactivate image " + imageId + ": HTTP 403 (image is " + image.status + ")", 403);
            }
            image.status = "deactivated";
        });
    }

    @Override
    public void reactivate(String imageId) {
        change("reactivate", imageId, image -> {
            if (!"active".equals(image.status) && !"deactivated".equals(image.status)) {
                throw new GlanceException("reactivate image " + imageId + ": HTTP 403 (image is " + image.status + ")", 403);
            }
            image.status = "active";
        });
    }

    @Override
    public List<ObservedImage.Member> members(String imageId) {
        return image(imageId).observed().members();
    }

    @Override
    public void addMember(String imageId, String projectId) {
        change("addMember", imageId, image -> {
            if (!"shared".equals(image.visibility)) {
                throw new GlanceException("add member " + projectId + ": HTTP 403 (image is " + image.visibility + ")", 403);
            }
            if (image.members.putIfAbsent(projectId, "pending") != null) {
                throw new GlanceException("add member " + projectId + ": HTTP 409 (already a member)", 409);
            }
        });
    }

    @Override
    public void setMemberStatus(String imageId, String projectId, String status) {
        change("setMemberStatus", imageId, image -> {
            if (!image.members.containsKey(projectId)) {
                throw new GlanceException("member " + projectId + ": HTTP 404", 404);
            }
            image.members.put(projectId, status);
        });
    }

    @Override
    public void removeMember(String imageId, String projectId) {
        change("removeMember", imageId, image -> image.members.remove(projectId));
    }

    /** Projects are their own ids here; domains are not modelled. */
    @Override
    public Set<String> resolveProjects(Collection<String> projects, Collection<String> domains) {
        if (!domains.isEmpty()) {
            throw new GlanceException("the in-memory Glance knows no domains", 0);
        }
        return new TreeSet<>(projects);
    }

    /** The images and their properties as a map of name to properties, for readable assertions. */
    public Map<String, Map<String, String>> propertiesByName() {
        Map<String, Map<String, String>> byName = new HashMap<>();
        all().forEach(image -> byName.put(image.name(), image.properties()));
        return byName;
    }
}
