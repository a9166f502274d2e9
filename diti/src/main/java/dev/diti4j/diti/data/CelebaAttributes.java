package dev.diti4j.diti.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A CelebA-format attribute file ({@code list_attr_celeba.txt}): a line with the row count, a
 * line with the attribute names, then one line per image, {@code filename v1 v2 …} with each value
 * −1 or 1, separated by any whitespace. Values become labels 0 (−1, absent) and 1 (present).
 */
public final class CelebaAttributes {
    private final Path file;
    private final List<String> names;
    private final Map<String, int[]> rows;

    private CelebaAttributes(Path file, List<String> names, Map<String, int[]> rows) {
        this.file = file;
        this.names = List.copyOf(names);
        this.rows = rows;
    }

    /** Parses an attribute file; every malformed line is reported with its number. */
    public static CelebaAttributes read(Path file) {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String countLine = r.readLine();
            if (countLine == null) {
                throw new DatasetException("attribute file " + file + " is empty; expected a row count, then the"
                        + " attribute names, then one line per image");
            }
            int declared;
            try {
                declared = Integer.parseInt(countLine.trim());
            } catch (NumberFormatException e) {
                throw new DatasetException("attribute file " + file + " line 1 should be the row count, got '"
                        + DatasetException.printable(countLine.strip()) + "'");
            }
            String header = r.readLine();
            if (header == null || header.isBlank()) {
                throw new DatasetException("attribute file " + file + " line 2 should name the attributes");
            }
            List<String> names = List.of(header.strip().split("\\s+"));
            Set<String> seen = new HashSet<>();
            for (String n : names) {
                if (n.chars().anyMatch(Character::isISOControl)) {
                    throw new DatasetException("attribute file " + file + " line 2 should name the attributes, but "
                            + DatasetException.printable(n) + " holds control characters (is it the attribute list?)");
                }
                if (!seen.add(n)) {
                    throw new DatasetException("attribute file " + file + " line 2 names the attribute "
                            + DatasetException.printable(n) + " twice");
                }
            }
            Map<String, int[]> rows = new HashMap<>();
            String line;
            int lineNo = 2;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] parts = line.strip().split("\\s+");
                if (parts.length != names.size() + 1) {
                    throw new DatasetException("attribute file " + file + " line " + lineNo + " has "
                            + (parts.length - 1) + " values, expected " + names.size() + " (one per attribute named on"
                            + " line 2)");
                }
                int[] v = new int[names.size()];
                for (int i = 0; i < v.length; i++) {
                    String s = parts[i + 1];
                    if (s.equals("1")) {
                        v[i] = 1;
                    } else if (s.equals("-1") || s.equals("0")) {
                        v[i] = 0;
                    } else {
                        throw new DatasetException("attribute file " + file + " line " + lineNo + " has value '"
                                + DatasetException.printable(s) + "' for " + DatasetException.printable(names.get(i))
                                + "; expected -1 or 1");
                    }
                }
                if (rows.put(parts[0], v) != null) {
                    throw new DatasetException("attribute file " + file + " lists "
                            + DatasetException.printable(parts[0]) + " twice (line " + lineNo + ")");
                }
            }
            if (rows.size() != declared) {
                throw new DatasetException("attribute file " + file + " declares " + declared + " rows on line 1 but has "
                        + rows.size());
            }
            return new CelebaAttributes(file, names, rows);
        } catch (NoSuchFileException e) {
            throw new DatasetException("attribute file " + file + " does not exist");
        } catch (CharacterCodingException e) {
            throw new DatasetException("attribute file " + file + " is not UTF-8 text (" + e.getClass().getSimpleName()
                    + "); is it the attribute list?", e);
        } catch (IOException e) {
            throw new DatasetException("cannot read attribute file " + file + ": " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    /** The attribute names, in column order. */
    public List<String> names() {
        return names;
    }

    public int rowCount() {
        return rows.size();
    }

    /** The 0/1 labels of an image file name, or null when the file is not listed. */
    public int[] labelsOf(String fileName) {
        int[] v = rows.get(fileName);
        return v == null ? null : v.clone();
    }

    /** The names among {@code fileNames} that have no row, in their order. */
    public List<String> missing(List<String> fileNames) {
        List<String> out = new ArrayList<>();
        for (String n : fileNames) {
            if (!rows.containsKey(n)) {
                out.add(n);
            }
        }
        return out;
    }
}
