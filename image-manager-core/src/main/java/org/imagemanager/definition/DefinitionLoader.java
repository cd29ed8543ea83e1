package org.imagemanager.definition;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.yaml.snakeyaml.LoaderOptions;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads definition files ({@code images: [...]}) and checks what the pipeline cannot work without.
 *
 * <p>Jackson's YAML reader only produces JSON-like tokens (no arbitrary types are ever constructed); aliases and
 * document size are bounded so that a hostile file cannot blow up memory.
 */
public final class DefinitionLoader {
    private static final Pattern CHECKSUM = Pattern.compile("(md5|sha1|sha256|sha512):[0-9a-fA-F]+");
    private static final Map<String, Integer> DIGEST_HEX_LENGTH = Map.of("md5", 32, "sha1", 40, "sha256", 64, "sha512", 128);

    private final ObjectMapper yaml;

    public DefinitionLoader() {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(50);
        options.setCodePointLimit(8 * 1024 * 1024);
        options.setAllowDuplicateKeys(false);
        YAMLFactory factory = YAMLFactory.builder().loaderOptions(options).build();
        this.yaml = new ObjectMapper(factory)
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
                .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true);
    }

    /** Reads several files; every file is read and every error is reported, then all errors are thrown together. */
    public List<LocatedDefinition> loadAll(Map<String, ? extends StreamSupplier> files, String commit) throws DefinitionException {
        List<LocatedDefinition> all = new ArrayList<>();
        List<DefinitionError> errors = new ArrayList<>();
        for (Map.Entry<String, ? extends StreamSupplier> file : files.entrySet()) {
            try (InputStream in = file.getValue().open()) {
                all.addAll(load(file.getKey(), in, commit));
            } catch (DefinitionException e) {
                errors.addAll(e.errors());
            } catch (IOException e) {
                errors.add(new DefinitionError(file.getKey(), 0, 0, "", "cannot be read: " + e.getMessage()));
            }
        }
        Map<String, LocatedDefinition> byName = new HashMap<>();
        for (LocatedDefinition d : all) {
            LocatedDefinition first = byName.putIfAbsent(d.definition().name(), d);
            if (first != null) {
                errors.add(new DefinitionError(d.source().file(), d.source().line(), 1, "name",
                        "image name '" + d.definition().name() + "' is already defined in " + first.source().file()
                                + ":" + first.source().line()));
            }
        }
        if (!errors.isEmpty()) {
            throw new DefinitionException(errors);
        }
        return all;
    }

    /** Reads one file. */
    public List<LocatedDefinition> load(String fileName, InputStream in, String commit) throws DefinitionException {
        List<LocatedDefinition> result = new ArrayList<>();
        List<DefinitionError> errors = new ArrayList<>();
        try (JsonParser parser = yaml.createParser(in)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new DefinitionException(List.of(error(fileName, parser.currentTokenLocation(), "",
                        "expected a mapping with the key 'images'")));
            }
            boolean sawImages = false;
            keys:
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String key = parser.currentName();
                JsonToken value = parser.nextToken();
                if (!"images".equals(key)) {
                    errors.add(error(fileName, parser.currentTokenLocation(), key, "unknown top-level key (expected 'images')"));
                    parser.skipChildren();
                    continue;
                }
                sawImages = true;
                if (value != JsonToken.START_ARRAY) {
                    errors.add(error(fileName, parser.currentTokenLocation(), "images", "expected a list of images"));
                    parser.skipChildren();
                    continue;
                }
                int index = 0;
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    JsonLocation at = parser.currentTokenLocation();
                    String path = "images[" + index + "]";
                    ImageDefinition definition;
                    try {
                        definition = yaml.readValue(parser, ImageDefinition.class);
                    } catch (JsonMappingException e) {
                        // The parser cannot resume inside a broken entry: report it and stop reading this file.
                        String inner = pathOf(e);
                        errors.add(error(fileName, e.getLocation(), inner.isEmpty() ? path : path + "." + inner,
                                e.getOriginalMessage()));
                        break keys;
                    }
                    int before = errors.size();
                    check(definition, fileName, at, path, errors);
                    if (errors.size() == before) {
                        result.add(new LocatedDefinition(definition, new DefinitionSource(fileName, at.getLineNr(), commit)));
                    }
                    index++;
                }
            }
            if (!sawImages) {
                errors.add(new DefinitionError(fileName, 1, 1, "images", "missing required key 'images'"));
            }
        } catch (JsonMappingException e) {
            errors.add(error(fileName, e.getLocation(), pathOf(e), e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            errors.add(error(fileName, e.getLocation(), "", e.getOriginalMessage()));
        } catch (IOException e) {
            errors.add(new DefinitionError(fileName, 0, 0, "", "cannot be read: " + e.getMessage()));
        } catch (DefinitionException e) {
            errors.addAll(e.errors());
        }
        if (!errors.isEmpty()) {
            throw new DefinitionException(errors);
        }
        return result;
    }

    private static void check(ImageDefinition d, String file, JsonLocation at, String path, List<DefinitionError> errors) {
        if (d.name() == null || d.name().isBlank()) {
            errors.add(error(file, at, path + ".name", "must not be empty"));
        }
        if (d.format() == null) {
            errors.add(error(file, at, path + ".format", "is required"));
        }
        if (d.versions().isEmpty()) {
            errors.add(error(file, at, path + ".versions", "needs at least one version"));
        }
        for (int i = 0; i < d.versions().size(); i++) {
            VersionDefinition v = d.versions().get(i);
            String vpath = path + ".versions[" + i + "]";
            if (v.version() == null || v.version().isBlank()) {
                errors.add(error(file, at, vpath + ".version", "is required"));
            }
            if (v.url() == null || v.url().isBlank()) {
                errors.add(error(file, at, vpath + ".url", "is required"));
            }
            if (v.checksum() != null) {
                if (!CHECKSUM.matcher(v.checksum()).matches()) {
                    errors.add(error(file, at, vpath + ".checksum",
                            "expected '<md5|sha1|sha256|sha512>:<hex digest>', found '" + v.checksum() + "'"));
                } else {
                    String[] parts = v.checksum().split(":", 2);
                    int expected = DIGEST_HEX_LENGTH.get(parts[0]);
                    if (parts[1].length() != expected) {
                        errors.add(error(file, at, vpath + ".checksum", parts[0] + " digest must have " + expected
                                + " hex digits, found " + parts[1].length()));
                    }
                }
            }
        }
    }

    private static String pathOf(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            } else if (ref.getFieldName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            }
        }
        return path.toString();
    }

    private static DefinitionError error(String file, JsonLocation at, String field, String message) {
        int line = at == null ? 0 : at.getLineNr();
        int column = at == null ? 0 : at.getColumnNr();
        return new DefinitionError(file, line, column, field, message);
    }

    /** Opens a file's content; lets callers hand over files from disk or from a git tree alike. */
    @FunctionalInterface
    public interface StreamSupplier {
        InputStream open() throws IOException;
    }
}
