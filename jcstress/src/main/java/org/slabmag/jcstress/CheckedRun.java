package org.slabmag.jcstress;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.openjdk.jcstress.Main;

/**
 * Runs jcstress with the given arguments and exits with status 1 unless every planned test
 * passed. jcstress 0.16 itself exits with 0 whatever the outcome, which would let a broken
 * property pass CI; this reads its final {@code (Results: N planned; P passed, F failed, S soft
 * errs, H hard errs)} line instead.
 */
public final class CheckedRun {
    private static final Pattern RESULTS = Pattern.compile(
        "\\(Results: (\\d+) planned; (\\d+) passed, (\\d+) failed, (\\d+) soft errs, (\\d+) hard errs\\)");

    private CheckedRun() {
    }

    public static void main(String[] args) throws Exception {
        LastResults last = new LastResults(System.out);
        System.setOut(new PrintStream(last, true, StandardCharsets.UTF_8));
        Main.main(args);
        System.out.flush();
        String line = last.line();
        if (line == null) {
            System.err.println("jcstress: no results line; treating the run as failed");
            System.exit(1);
        }
        Matcher m = RESULTS.matcher(line);
        if (!m.find()) {
            throw new IllegalStateException(line);
        }
        long planned = Long.parseLong(m.group(1));
        long passed = Long.parseLong(m.group(2));
        if (planned == 0 || passed != planned) {
            System.err.println("jcstress FAILED: " + line.trim());
            System.exit(1);
        }
        System.err.println("jcstress: all " + planned + " test runs passed");
    }

    /** Passes bytes through and remembers the last line that carries the results summary. */
    private static final class LastResults extends OutputStream {
        private final PrintStream out;
        private final StringBuilder current = new StringBuilder();
        private volatile String line;

        LastResults(PrintStream out) {
            this.out = out;
        }

        @Override
        public synchronized void write(int b) {
            out.write(b);
            if (b == '\n' || b == '\r') {
                String s = current.toString();
                if (RESULTS.matcher(s).find()) {
                    line = s;
                }
                current.setLength(0);
            } else {
                current.append((char) b);
            }
        }

        @Override
        public void flush() {
            out.flush();
        }

        String line() {
            return line;
        }
    }
}
