package org.imagemanager.definition;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The rules of a definitions file, read from {@code schema.yaml} beside this class: the reference tool's schema as
 * data, with our deliberate differences marked there. The rules are data so that parity with the reference can be
 * read (and diffed) key for key; {@link RuleCheck} applies them and {@link DefinitionBinder} builds definitions.
 */
public final class DefinitionSchema {
    /** The version value that stands for "whatever upstream publishes now". */
    public static final String LATEST = "latest";

    static final String DOCUMENT = "document";
    static final String IMAGE = "image";
    static final String META = "meta";
    static final String VERSION = "version";

    private static final DefinitionSchema RULES = load();

    private final Map<String, Section> sections;

    private DefinitionSchema(Map<String, Section> sections) {
        this.sections = Map.copyOf(sections);
    }

    /** The rules shipped with this build. */
    static DefinitionSchema rules() {
        return RULES;
    }

    Section section(String name) {
        Section section = sections.get(name);
        if (section == null) {
            throw new IllegalStateException("schema.yaml has no section '" + name + "'");
        }
        return section;
    }

    /** The closed set of value types a rule can have. */
    enum Type {
        TEXT, BOOL, INT, ENUM, DATE, PATTERN, CHECKSUM, TEXT_LIST, SECTION, SECTION_LIST, ANY;

        /** The file spells types as its header does ({@code section-list}). */
        @JsonCreator
        static Type of(String word) {
            return valueOf(word.replace('-', '_').toUpperCase(java.util.Locale.ROOT));
        }
    }

    /**
     * One key's rule; see the header of {@code schema.yaml} for the meaning of each field.
     *
     * @param ours why this rule differs from the reference's (documentation only)
     */
    record Rule(Type type, boolean required, boolean nullable, List<String> values, Pattern pattern, Integer min,
                boolean notEmpty, Integer minItems, String section, List<Rule> of, Map<String, Integer> algorithms,
                String expected, String ours) {
        Rule {
            values = values == null ? List.of() : List.copyOf(values);
            of = of == null ? List.of() : List.copyOf(of);
            algorithms = algorithms == null ? Map.of() : Map.copyOf(algorithms);
        }

        Rule optional() {
            return new Rule(type, false, nullable, values, pattern, min, notEmpty, minItems, section, of, algorithms,
                    expected, ours);
        }
    }

    /**
     * The rules of one mapping.
     *
     * @param open            keys without a rule pass through (meta: the seed allows any property)
     * @param extensionPrefix keys starting with it are allowed and ignored (null: none)
     */
    record Section(String name, Map<String, Rule> keys, boolean open, String extensionPrefix) {
        Section {
            keys = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(keys));
        }
    }

    // --- reading schema.yaml ---

    private record RuleFile(Type type, boolean required, boolean nullable, List<String> values, String pattern,
                            Integer min, @JsonProperty("not_empty") boolean notEmpty,
                            @JsonProperty("min_items") Integer minItems, String section, List<RuleFile> of,
                            Map<String, Integer> algorithms, String expected, String ours) {
        Rule toRule() {
            return new Rule(type, required, nullable, values,
                    // Python's \w is Unicode-aware; so is ours, for the same verdict on the same text
                    pattern == null ? null : Pattern.compile(pattern, Pattern.UNICODE_CHARACTER_CLASS), min, notEmpty,
                    minItems, section, of == null ? null : of.stream().map(RuleFile::toRule).toList(), algorithms,
                    expected, ours);
        }
    }

    private record SectionFile(Map<String, RuleFile> keys, boolean open,
                               @JsonProperty("extension_prefix") String extensionPrefix, String like,
                               @JsonProperty("required_keys") Boolean requiredKeys) {
    }

    private record SchemaFile(Map<String, SectionFile> sections) {
    }

    private static DefinitionSchema load() {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
        try (InputStream in = DefinitionSchema.class.getResourceAsStream("schema.yaml")) {
            if (in == null) {
                throw new IllegalStateException("schema.yaml is missing from the build");
            }
            SchemaFile file = yaml.readValue(in, SchemaFile.class);
            Map<String, Section> sections = new LinkedHashMap<>();
            file.sections().forEach((name, section) -> {
                // a section `like` another takes its rules (the version's meta: the image meta's value rules)
                SectionFile rules = section.like() == null ? section : file.sections().get(section.like());
                sections.put(name, toSection(name, rules.keys(), section, Boolean.FALSE.equals(section.requiredKeys())));
            });
            return new DefinitionSchema(sections);
        } catch (IOException e) {
            throw new UncheckedIOException("schema.yaml cannot be read", e);
        }
    }

    private static Section toSection(String name, Map<String, RuleFile> keys, SectionFile section, boolean dropRequired) {
        Map<String, Rule> rules = new LinkedHashMap<>();
        keys.forEach((key, rule) -> rules.put(key, dropRequired ? rule.toRule().optional() : rule.toRule()));
        return new Section(name, rules, section.open(), section.extensionPrefix());
    }
}
