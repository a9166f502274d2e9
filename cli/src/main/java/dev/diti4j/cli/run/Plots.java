package dev.diti4j.cli.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** PNG plots through XChart (headless). */
public final class Plots {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Plots() {
    }

    /** One named series of (x, y) points. */
    public record Series(String name, double[] x, double[] y) {
    }

    /** A line chart written as PNG; {@code logY} uses a logarithmic y axis. */
    public static void line(Path png, String title, String xLabel, String yLabel, boolean logY, List<Series> series) {
        XYChart chart = new XYChartBuilder().width(800).height(500).title(title).xAxisTitle(xLabel)
                .yAxisTitle(yLabel).build();
        chart.getStyler().setYAxisLogarithmic(logY);
        chart.getStyler().setMarkerSize(0);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        for (Series s : series) {
            if (s.x().length == 0) {
                continue;
            }
            XYSeries xs = chart.addSeries(s.name(), s.x(), s.y());
            xs.setMarker(SeriesMarkers.NONE);
        }
        try {
            String base = png.toString();
            if (base.endsWith(".png")) {
                base = base.substring(0, base.length() - 4);
            }
            BitmapEncoder.saveBitmap(chart, base, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write plot " + png + ": " + e.getMessage(), e);
        }
    }

    /** Exponential moving average of a series, for smoothed loss curves. */
    public static double[] smooth(double[] y, double beta) {
        double[] out = new double[y.length];
        double m = 0;
        for (int i = 0; i < y.length; i++) {
            m = beta * m + (1 - beta) * y[i];
            out[i] = m / (1 - Math.pow(beta, i + 1));
        }
        return out;
    }
}
