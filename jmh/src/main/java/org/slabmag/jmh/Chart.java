package org.slabmag.jmh;

import java.util.List;
import java.util.Locale;

/**
 * Draws the comparison as an SVG bar chart: one horizontal bar per (benchmark, configuration,
 * peer), its length the factor by which slabmag beats the peer on a log2 scale, a line at 1x
 * (parity). No dependencies; the SVG renders in browsers and on GitHub.
 */
final class Chart {
    private static final int BAR = 18;
    private static final int GAP = 6;
    private static final int LABEL = 560;
    private static final int PLOT = 420;
    private static final int TOP = 50;

    private Chart() {
    }

    static String svg(List<Compare.Row> rows, String caption) {
        double maxLog = 1;
        double minLog = -1;
        for (Compare.Row r : rows) {
            double l = log2(r.ratio());
            maxLog = Math.max(maxLog, Math.ceil(l));
            minLog = Math.min(minLog, Math.floor(l));
        }
        double span = maxLog - minLog;
        int height = TOP + rows.size() * (BAR + GAP) + 60;
        int width = LABEL + PLOT + 80;
        double zeroX = LABEL + PLOT * (-minLog / span);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " font-family=\"sans-serif\" font-size=\"12\">%n",
            width, height));
        sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
        sb.append(String.format(Locale.ROOT,
            "<text x=\"10\" y=\"20\" font-size=\"15\" font-weight=\"bold\">"
            + "slabmag vs peers: how many times better (log scale, &gt;1 = slabmag wins)</text>%n"));
        for (double tick = minLog; tick <= maxLog; tick++) {
            double x = LABEL + PLOT * ((tick - minLog) / span);
            sb.append(String.format(Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\"/>%n", x, TOP - 8, x,
                height - 50, tick == 0 ? "black" : "#ddd"));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x,
                TOP - 12, tick >= 0 ? (long) Math.pow(2, tick) + "x" : "1/" + (long) Math.pow(2, -tick) + "x"));
        }
        int y = TOP;
        for (Compare.Row r : rows) {
            double l = log2(r.ratio());
            double x = LABEL + PLOT * ((l - minLog) / span);
            double left = Math.min(x, zeroX);
            String label = r.benchmark().replace("Benchmark.", ".") + (r.config().isEmpty() ? "" : " [" + r.config() + "]")
                + " vs " + r.peer();
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n",
                LABEL - 6, y + BAR - 5, escape(label)));
            sb.append(String.format(Locale.ROOT,
                "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>%n", left, y,
                Math.max(1, Math.abs(x - zeroX)), BAR, r.ratio() >= 1 ? "#2a7ab9" : "#d9534f"));
            String value = Double.isInfinite(r.ratio()) ? "slabmag 0" : String.format(Locale.ROOT, "%.2fx", r.ratio());
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%s</text>%n",
                Math.max(x, zeroX) + 4, y + BAR - 5, value));
            y += BAR + GAP;
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"%d\" fill=\"#555\">%s</text>%n", height - 20,
            escape(caption)));
        sb.append("</svg>\n");
        return sb.toString();
    }

    /** log2 of the ratio, clamped to [-6, 6] (1/64x to 64x) so a zero cost does not break the scale. */
    private static double log2(double v) {
        return Math.max(-6, Math.min(6, Math.log(v) / Math.log(2)));
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
