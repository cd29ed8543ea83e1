package org.imagemanager.glance;

import org.imagemanager.definition.ImageDefinition;
import org.imagemanager.plan.ObservedImage;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The calls of Glance v2 (and the two of Keystone the share options need) that the services make, for one cloud.
 * One implementation talks to a real cloud ({@link GlanceClient}); tests of the services use an in-memory one. Every
 * refusal is a {@link GlanceException} carrying the HTTP status.
 */
public interface Glance extends AutoCloseable {
    String cloudName();

    /** The project the credentials are scoped to: images of other projects are only considered when public. */
    String projectId();

    /** Every image that carries {@code tag} (any visibility, hidden or not), shared ones with their members. */
    List<ObservedImage> listImages(String tag);

    /** Every image called {@code name} that this project can see, managed or not, hidden or not. */
    List<ObservedImage> listImagesNamed(String name);

    Optional<ObservedImage> get(String imageId);

    /** Creates a private, queued image and returns its id. */
    String create(NewImage spec);

    /**
     * Creates an image (no data) with the fixed id in {@code image}: true when this call made it, false when Glance
     * already has, or once had, an image with that id (409). Glance never hands out an id twice, not even a deleted
     * image's: the compare-and-set the family claims rest on.
     */
    boolean createIfAbsent(Map<String, Object> image);

    /** Streams {@code data} into the image ({@code PUT /file}, chunked). */
    void upload(String imageId, InputStream data) throws IOException;

    /** The interoperable import ({@code /info/import}, {@code /stage}, {@code /import}). */
    GlanceImports imports();

    /** The image's bytes as a stream; the caller closes it. */
    InputStream download(String imageId) throws IOException;

    /** Deletes the image; an image that is already gone counts as deleted. */
    void delete(String imageId);

    void rename(String imageId, String name);

    void setVisibility(String imageId, String visibility);

    void setHidden(String imageId, boolean hidden);

    void setMinimums(String imageId, int minDisk, int minRam);

    /** Adds or changes properties. */
    void setProperties(String imageId, Map<String, String> properties);

    void removeProperties(String imageId, Collection<String> keys);

    void addTag(String imageId, String tag);

    void removeTag(String imageId, String tag);

    void deactivate(String imageId);

    void reactivate(String imageId);

    /** The members of a shared image. */
    List<ObservedImage.Member> members(String imageId);

    /** Makes the project a member (pending); refused (403) unless the image is shared. */
    void addMember(String imageId, String projectId);

    /** Sets a member's status; the member project itself may, and an admin on its behalf (the owner gets a 403). */
    void setMemberStatus(String imageId, String projectId, String status);

    /** Removes the member; a member that is already gone counts as removed. */
    void removeMember(String imageId, String projectId);

    /** The ids of the projects the share options name (projects and whole domains, by name or id). */
    Set<String> resolveProjects(Collection<String> projects, Collection<String> domains);

    /**
     * The images that hold {@code name} for this project's users: its own and public ones. (An admin lists every
     * project's images, but another project's private image does not take a name from this one.)
     */
    default List<ObservedImage> nameHolders(String name) {
        String project = projectId();
        return listImagesNamed(name).stream().filter(image -> image.visibleTo(project)).toList();
    }

    /**
     * What a plan observes: the managed images, and whoever else holds the plain name of a {@code multi: true} family
     * (unmanaged, or under another tool's tag, like a build the reference tool already renamed). Such a holder keeps
     * the name for good, so the plan blocks the import at once instead of importing a copy that could never take it.
     * (Names of new imports are checked again by the importer, right before it creates the image.)
     */
    default List<ObservedImage> observedForPlanning(String tag, Collection<ImageDefinition> definitions) {
        List<ObservedImage> observed = new ArrayList<>(listImages(tag));
        Set<String> known = new HashSet<>();
        observed.forEach(image -> known.add(image.id()));
        for (ImageDefinition definition : definitions) {
            if (definition.hasRotatingName()) {
                nameHolders(definition.name()).stream().filter(holder -> known.add(holder.id())).forEach(observed::add);
            }
        }
        return observed;
    }

    /** Ends this client's connections (a JVM waits at exit for threads still polling sockets); nothing to do by default. */
    @Override
    default void close() {
    }
}
