package org.imagemanager.naming;

import org.imagemanager.definition.ImageDefinition;
import org.imagemanager.definition.VersionDefinition;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The seed's naming rules.
 * <ul>
 *   <li>{@code multi: false}: every version is its own image, {@code name + separator + version}.</li>
 *   <li>{@code multi: true}: the newest version (natural order) carries the plain {@code name}; every older one
 *       {@code name + separator + "(" + version + ")"}.</li>
 * </ul>
 */
public final class ImageNaming {
    private ImageNaming() {
    }

    /** The name the image of this version must have once the family is in line. */
    public static String desiredName(ImageDefinition definition, String version) {
        return desiredName(definition, version, newestVersion(definition).orElse(null));
    }

    /**
     * The name of this version's image when {@code plainVersion} is the version that carries the plain name
     * (for {@code multi: true}: the newest version that is actually available in the cloud).
     */
    public static String desiredName(ImageDefinition definition, String version, String plainVersion) {
        if (!definition.hasRotatingName()) {
            return definition.name() + definition.effectiveSeparator() + version;
        }
        return version.equals(plainVersion) ? definition.name() : suffixedName(definition, version);
    }

    /**
     * The name a new image is created under. For {@code multi: true} it is always the suffixed name, so that a new
     * build never appears under the plain name before the old one has been renamed away; the rotation then moves
     * the plain name over.
     */
    public static String importName(ImageDefinition definition, String version) {
        return definition.hasRotatingName() ? suffixedName(definition, version) : desiredName(definition, version);
    }

    public static String suffixedName(ImageDefinition definition, String version) {
        return definition.name() + definition.effectiveSeparator() + "(" + version + ")";
    }

    public static Optional<String> newestVersion(ImageDefinition definition) {
        return versionsOldestFirst(definition).stream().reduce((a, b) -> b);
    }

    public static List<String> versionsOldestFirst(ImageDefinition definition) {
        return definition.versions().stream()
                .map(VersionDefinition::version)
                .sorted(NaturalOrder.INSTANCE)
                .toList();
    }

    public static Comparator<String> versionOrder() {
        return NaturalOrder.INSTANCE;
    }
}
