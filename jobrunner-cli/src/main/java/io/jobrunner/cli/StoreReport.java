package io.jobrunner.cli;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** A command that reads the store once and prints what it found, as text for a terminal or as JSON. */
abstract class StoreReport implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "print JSON instead of text")
    boolean json;

    /**
     * Prints the report, as JSON when {@code json}; returns the exit code.
     *
     * @param now the one instant relative times are measured from
     */
    abstract int report(Store store, PrintWriter out, Instant now);

    @Override
    public Integer call() {
        Instant now = Instant.now();
        try (Store store = Store.open()) {
            return report(store, spec.commandLine().getOut(), now);
        }
    }
}
