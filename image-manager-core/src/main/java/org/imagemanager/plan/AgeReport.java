package org.imagemanager.plan;

import org.imagemanager.definition.DefinitionSchema;
import org.imagemanager.definition.ImageDefinition;
import org.imagemanager.definition.VersionDefinition;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** {@code --check-age --max-age}: definitions whose newest build is older than allowed. */
public final class AgeReport {
    private AgeReport() {
    }

    public record Finding(String family, LocalDate newestBuild, long ageDays, long maxAgeDays) {
    }

    static List<Finding> of(Collection<ImageDefinition> definitions, PlanOptions options, Reconciler.Inputs inputs) {
        List<Finding> findings = new ArrayList<>();
        if (options.maxAge() == null) {
            return findings;
        }
        LocalDate today = options.now().atZone(ZoneOffset.UTC).toLocalDate();
        for (ImageDefinition definition : definitions) {
            if (!options.selects(definition.name()) || (!definition.enabled() && !options.force())) {
                continue;
            }
            Optional<LocalDate> newest = definition.versions().stream()
                    .map(v -> buildDay(definition, v, inputs))
                    .flatMap(Optional::stream)
                    .max(LocalDate::compareTo);
            if (newest.isPresent()) {
                long age = ChronoUnit.DAYS.between(newest.get(), today);
                if (age > options.maxAge().toDays()) {
                    findings.add(new Finding(definition.name(), newest.get(), age, options.maxAge().toDays()));
                }
            }
        }
        return findings;
    }

    private static Optional<LocalDate> buildDay(ImageDefinition definition, VersionDefinition version, Reconciler.Inputs inputs) {
        if (DefinitionSchema.LATEST.equals(version.version())) {
            return Optional.ofNullable(inputs.upstream().get(definition.name())).map(Upstream::lastModified);
        }
        try {
            return Optional.ofNullable(version.buildDate()).map(LocalDate::parse);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
