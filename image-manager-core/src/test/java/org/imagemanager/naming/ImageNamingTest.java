package org.imagemanager.naming;

import org.imagemanager.definition.ImageDefinition;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.imagemanager.fixtures.DefinitionBuilder.image;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ImageNamingTest {

    @Test
    void shouldAppendTheVersionWithASpaceWhenNotMulti() {
        ImageDefinition rancher = image("RancherOS").multi(false).versions("1.3.0", "1.4.0", "1.4.1").build();

        assertEquals("RancherOS 1.3.0", ImageNaming.desiredName(rancher, "1.3.0"));
        assertEquals("RancherOS 1.4.1", ImageNaming.desiredName(rancher, "1.4.1"));
    }

    @Test
    void shouldUseACustomSeparatorWhenNotMulti() {
        ImageDefinition flatcar = image("Flatcar").separator("-").versions("3815.2.0").build();

        assertEquals("Flatcar-3815.2.0", ImageNaming.desiredName(flatcar, "3815.2.0"));
    }

    @Test
    void shouldUseTheImportNameAsTheFinalNameWhenNotMulti() {
        ImageDefinition rancher = image("RancherOS").versions("1.4.1").build();

        assertEquals("RancherOS 1.4.1", ImageNaming.importName(rancher, "1.4.1"));
    }

    @Test
    void shouldGiveNewestVersionThePlainNameWhenMulti() {
        ImageDefinition ubuntu = image("Ubuntu 24.04").multi(true).versions("20240416", "20240422").build();

        assertEquals("Ubuntu 24.04", ImageNaming.desiredName(ubuntu, "20240422"));
    }

    @Test
    void shouldSuffixOlderVersionsInParenthesesWhenMulti() {
        ImageDefinition ubuntu = image("Ubuntu 24.04").multi(true).versions("20240416", "20240422").build();

        assertEquals("Ubuntu 24.04 (20240416)", ImageNaming.desiredName(ubuntu, "20240416"));
    }

    @Test
    void shouldFindTheNewestVersionByNaturalOrderNotByListOrder() {
        ImageDefinition image = image("X").multi(true).versions("1.10", "1.9").build();

        assertEquals("X", ImageNaming.desiredName(image, "1.10"));
        assertEquals("X (1.9)", ImageNaming.desiredName(image, "1.9"));
        assertEquals(Optional.of("1.10"), ImageNaming.newestVersion(image));
        assertEquals(List.of("1.9", "1.10"), ImageNaming.versionsOldestFirst(image));
    }

    @Test
    void shouldUseACustomSeparatorBeforeTheParenthesesWhenMulti() {
        ImageDefinition image = image("Debian 12").multi(true).separator("_").versions("1", "2").build();

        assertEquals("Debian 12_(1)", ImageNaming.desiredName(image, "1"));
        assertEquals("Debian 12", ImageNaming.desiredName(image, "2"));
    }

    @Test
    void shouldGiveThePlainNameToTheGivenPlainVersionWhenMulti() {
        ImageDefinition ubuntu = image("Ubuntu 24.04").multi(true).versions("20240416", "20240422").build();

        // The newest version is not in the cloud yet: the plain name stays with the one that is.
        assertEquals("Ubuntu 24.04", ImageNaming.desiredName(ubuntu, "20240416", "20240416"));
        assertEquals("Ubuntu 24.04 (20240422)", ImageNaming.desiredName(ubuntu, "20240422", "20240416"));
    }

    @Test
    void shouldSuffixEveryVersionWhenNoVersionCarriesThePlainName() {
        ImageDefinition ubuntu = image("Ubuntu 24.04").multi(true).versions("20240416").build();

        assertEquals("Ubuntu 24.04 (20240416)", ImageNaming.desiredName(ubuntu, "20240416", null));
    }

    @Test
    void shouldIgnoreThePlainVersionWhenNotMulti() {
        ImageDefinition rancher = image("RancherOS").versions("1.4.0", "1.4.1").build();

        assertEquals("RancherOS 1.4.1", ImageNaming.desiredName(rancher, "1.4.1", "1.4.1"));
    }

    @Test
    void shouldAlwaysImportUnderTheSuffixedNameWhenMulti() {
        ImageDefinition ubuntu = image("Ubuntu 24.04").multi(true).versions("20240416", "20240422").build();

        assertEquals("Ubuntu 24.04 (20240422)", ImageNaming.importName(ubuntu, "20240422"));
        assertEquals("Ubuntu 24.04 (20240416)", ImageNaming.importName(ubuntu, "20240416"));
    }

    @Test
    void shouldImportEvenTheOnlyVersionUnderTheSuffixedNameWhenMulti() {
        ImageDefinition ubuntu = image("Ubuntu 24.04").multi(true).versions("20240416").build();

        assertEquals("Ubuntu 24.04 (20240416)", ImageNaming.importName(ubuntu, "20240416"));
        assertEquals("Ubuntu 24.04", ImageNaming.desiredName(ubuntu, "20240416"));
    }

    @Test
    void shouldUseASpaceAsTheDefaultSeparator() {
        assertEquals(" ", image("X").build().effectiveSeparator());
        assertEquals(" ", ImageDefinition.DEFAULT_SEPARATOR);
    }
}
