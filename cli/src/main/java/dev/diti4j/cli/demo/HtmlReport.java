package dev.diti4j.cli.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

/**
 * A self-contained HTML page built section by section: headings, paragraphs, images (paths relative
 * to the page), tables, and heatmaps drawn as tables whose cells are shaded by value. Every text is
 * escaped; the page needs no script and no network, so it opens from the run folder as it is.
 */
public final class HtmlReport {
    private final StringBuilder body = new StringBuilder();
    private final String title;

    public HtmlReport(String title) {
        this.title = title;
        body.append("<h1>").append(esc(title)).append("</h1>\n");
    }

    /** Escapes text for HTML element content and attribute values. */
    public static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    public HtmlReport section(String heading) {
        body.append("<h2>").append(esc(heading)).append("</h2>\n");
        return this;
    }

    public HtmlReport subsection(String heading) {
        body.append("<h3>").append(esc(heading)).append("</h3>\n");
        return this;
    }

    public HtmlReport paragraph(String text) {
        body.append("<p>").append(esc(text)).append("</p>\n");
        return this;
    }

    /** A paragraph in a smaller, grey font (settings, how a number was measured). */
    public HtmlReport note(String text) {
        body.append("<p class=\"note\">").append(esc(text)).append("</p>\n");
        return this;
    }

    /** An image with a caption; {@code scale} enlarges small images without smoothing. */
    public HtmlReport image(String relativePath, String caption, int widthPx) {
        body.append("<figure><img src=\"").append(esc(relativePath)).append("\" style=\"width:").append(widthPx)
                .append("px\" alt=\"").append(esc(caption)).append("\"><figcaption>").append(esc(caption))
                .append("</figcaption></figure>\n");
        return this;
    }

    /** Figures side by side. */
    public HtmlReport images(List<String> relativePaths, List<String> captions, int widthPx) {
        body.append("<div class=\"row\">\n");
        for (int i = 0; i < relativePaths.size(); i++) {
            image(relativePaths.get(i), captions.get(i), widthPx);
        }
        body.append("</div>\n");
        return this;
    }

    /** A table of text cells; the first column is a row header. */
    public HtmlReport table(List<String> header, List<List<String>> rows) {
        body.append("<table><tr>");
        for (String h : header) {
            body.append("<th>").append(esc(h)).append("</th>");
        }
        body.append("</tr>\n");
        for (List<String> r : rows) {
            body.append("<tr>");
            for (int i = 0; i < r.size(); i++) {
                String tag = i == 0 ? "th" : "td";
                body.append('<').append(tag).append('>').append(esc(r.get(i))).append("</").append(tag).append('>');
            }
            body.append("</tr>\n");
        }
        body.append("</table>\n");
        return this;
    }

    /**
     * A heatmap: rows × columns of values in [lo, hi], each cell shaded from white (lo) to dark blue
     * (hi) and labelled with its value. NaN cells are grey and labelled "n/a".
     */
    public HtmlReport heatmap(String corner, List<String> rowLabels, List<String> colLabels, double[][] values,
                              double lo, double hi, String format) {
        body.append("<table class=\"heat\"><tr><th>").append(esc(corner)).append("</th>");
        for (String c : colLabels) {
            body.append("<th>").append(esc(c)).append("</th>");
        }
        body.append("</tr>\n");
        for (int r = 0; r < rowLabels.size(); r++) {
            body.append("<tr><th>").append(esc(rowLabels.get(r))).append("</th>");
            for (int c = 0; c < colLabels.size(); c++) {
                double v = values[r][c];
                if (Double.isNaN(v)) {
                    body.append("<td style=\"background:#ddd\">n/a</td>");
                    continue;
                }
                double f = Math.max(0, Math.min(1, (v - lo) / (hi - lo)));
                int red = (int) Math.round(255 - f * (255 - 8));
                int green = (int) Math.round(255 - f * (255 - 48));
                int blue = (int) Math.round(255 - f * (255 - 107));
                String fg = f > 0.55 ? "#fff" : "#000";
                body.append(String.format(Locale.ROOT, "<td style=\"background:rgb(%d,%d,%d);color:%s\">", red, green,
                        blue, fg)).append(esc(String.format(Locale.ROOT, format, v))).append("</td>");
            }
            body.append("</tr>\n");
        }
        body.append("</table>\n");
        return this;
    }

    public String html() {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + esc(title) + "</title>\n"
                + "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}"
                + "h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}"
                + "table{border-collapse:collapse;margin:.8em 0}th,td{border:1px solid #bbb;padding:.25em .6em;"
                + "text-align:right;font-variant-numeric:tabular-nums}th{background:#f3f3f3;text-align:left}"
                + "table.heat td{min-width:3.2em;text-align:center}"
                + "figure{display:inline-block;margin:.4em 1em .8em 0;vertical-align:top}"
                + "figure img{image-rendering:pixelated;border:1px solid #ccc}"
                + "figcaption{font-size:.85em;color:#444;max-width:34em}.row{display:flex;flex-wrap:wrap}"
                + ".note{font-size:.85em;color:#555}</style></head><body>\n" + body + "</body></html>\n";
    }

    /** Writes the page atomically (a temporary file, then a rename). */
    public void write(Path file) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, html(), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
