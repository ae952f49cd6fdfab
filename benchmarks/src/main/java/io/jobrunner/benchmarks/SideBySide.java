package io.jobrunner.benchmarks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Runs a candidate and its baseline in alternating rounds after a warm-up, and prints the median
 * rate of each and their ratio. Alternating — each first in every other round — keeps drift on a
 * shared machine from favouring either.
 */
final class SideBySide {

    /** One measured round: how many operations, in how many nanoseconds. */
    interface Round {
        long run() throws Exception;
    }

    private SideBySide() {
    }

    /** Returns candidate median / baseline median. */
    static double compare(String title, String unit, int operations, int warmups, int rounds,
                          String candidateName, Round candidate, String baselineName, Round baseline) throws Exception {
        System.out.println(title);
        for (int i = 0; i < warmups; i++) {
            candidate.run();
            baseline.run();
        }
        List<Double> candidateRates = new ArrayList<>();
        List<Double> baselineRates = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            double c;
            double b;
            if (i % 2 == 0) {  // each goes first in every other round: neither gains from its place
                c = operations / (candidate.run() / 1e9);
                b = operations / (baseline.run() / 1e9);
            } else {
                b = operations / (baseline.run() / 1e9);
                c = operations / (candidate.run() / 1e9);
            }
            candidateRates.add(c);
            baselineRates.add(b);
            System.out.printf(Locale.ROOT, "  round %d: %-28s %,12.0f %s   %-28s %,12.0f %s   ratio %.2f%n", i + 1,
                    candidateName, c, unit, baselineName, b, unit, c / b);
        }
        double c = median(candidateRates);
        double b = median(baselineRates);
        System.out.printf(Locale.ROOT, "  median:  %-28s %,12.0f %s   %-28s %,12.0f %s   RATIO %.2f%n%n",
                candidateName, c, unit, baselineName, b, unit, c / b);
        return c / b;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }
}
