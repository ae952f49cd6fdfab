package io.jobrunner.benchmarks;

import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;

/**
 * The burn-down of {@link BurnDownBenchmark} for this build and for a baseline build's benchmarks jar,
 * side by side in one JVM: each version loaded by a class loader of its own (sharing nothing but the
 * JDK), its database workers started from its own jar, and the two burning down in alternating
 * rounds after a warm-up, so drift on a shared machine favours neither. Prints each set-up's medians
 * and their ratio. How to build a baseline: CONTRIBUTING.md, "Performance".
 *
 * <p>Arguments: the baseline's {@code benchmarks.jar}, jobs per round (default 10000), rounds (default 7),
 * and optionally the set-ups to run: those whose names contain it (e.g. {@code "1 worker"}).
 */
public final class BaselineBurnDown {

    private BaselineBurnDown() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || !Files.isRegularFile(Path.of(args[0]))) {
            throw new IllegalArgumentException("Give the baseline's benchmarks jar as the first argument (got "
                    + (args.length < 1 ? "none" : args[0]) + "); build it from a commit with: git worktree add /tmp/base"
                    + " <commit> && mvn -B -q -f /tmp/base -DskipTests package -pl benchmarks -am");
        }
        Path baselineJar = Path.of(args[0]).toAbsolutePath();
        Path currentJar = Path.of(BaselineBurnDown.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        int jobs = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 7;
        String only = args.length > 3 ? args[3] : "";
        Map<String, Double> ratios = new LinkedHashMap<>();
        for (String setUp : new String[] {"inprocess-async", "database, 1 worker process", "database, 2 worker processes",
                "one by one: database, 1 worker"}) {
            if (!setUp.contains(only)) {
                continue;
            }
            boolean oneByOne = setUp.startsWith("one by one");
            String runner = setUp.startsWith("inprocess") ? "inprocess-async" : "database";
            int workers = setUp.contains("2 worker") ? 2 : runner.equals("database") ? 1 : 0;
            try (Version current = new Version(currentJar, runner, workers, jobs);
                 Version baseline = new Version(baselineJar, runner, workers, jobs)) {
                // a worker process compiles its hot paths on its first tens of thousands of jobs
                ratios.put(setUp, SideBySide.compare("Burn-down of " + String.format(Locale.ROOT, "%,d", jobs)
                                + " no-op jobs, " + setUp, "jobs/s", jobs, 3 * Math.max(1, workers), rounds,
                        "this build", () -> current.burnDown(oneByOne), "baseline", () -> baseline.burnDown(oneByOne)));
            }
        }
        System.out.printf(Locale.ROOT, "This build against %s (median of %d alternating rounds):%n", baselineJar, rounds);
        ratios.forEach((setUp, ratio) -> System.out.printf(Locale.ROOT, "  %-32s %.2f   target >= 0.95 -> %s%n", setUp,
                ratio, ratio >= 0.95 ? "met" : "NOT met"));
    }

    /** One version's {@link BurnDownSetUp}, loaded and called with that version's class loader. */
    private static final class Version implements AutoCloseable {
        private final ClassLoader loader;
        private final AutoCloseable setUp;
        private final int jobs;

        Version(Path jar, String runner, int workers, int jobs) throws Exception {
            this.loader = new VersionLoader(jar.toUri().toURL());
            this.jobs = jobs;
            this.setUp = within(() -> (AutoCloseable) loader.loadClass(BurnDownSetUp.class.getName())
                    .getConstructor(String.class, int.class, String.class, int.class)
                    .newInstance(runner, workers, jar.toString(), jobs));
        }

        /** Nanoseconds the burn-down of the batch took, from its rate. */
        @SuppressWarnings("unchecked")
        long burnDown(boolean oneByOne) throws Exception {
            double rate = within(() -> ((ToDoubleFunction<Boolean>) setUp).applyAsDouble(oneByOne));
            return (long) (jobs / rate * 1e9);
        }

        /** With this version's loader as the thread's context loader, where ServiceLoader looks for runners. */
        private <T> T within(Callable<T> call) throws Exception {
            Thread thread = Thread.currentThread();
            ClassLoader before = thread.getContextClassLoader();
            thread.setContextClassLoader(loader);
            try {
                return call.call();
            } finally {
                thread.setContextClassLoader(before);
            }
        }

        @Override
        public void close() throws Exception {
            within(() -> {
                setUp.close();
                return null;
            });
        }
    }

    /**
     * A version's jar over the JDK alone, plus this build's {@link BurnDownSetUp}, defined in it so it
     * links against that version's classes.
     */
    private static final class VersionLoader extends URLClassLoader {
        VersionLoader(URL jar) {
            super(new URL[] {jar}, ClassLoader.getPlatformClassLoader());
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            if (!name.equals(BurnDownSetUp.class.getName())) {
                return super.findClass(name);
            }
            try (InputStream in = BaselineBurnDown.class.getResourceAsStream("BurnDownSetUp.class")) {
                byte[] bytes = in.readAllBytes();
                return defineClass(name, bytes, 0, bytes.length);
            } catch (java.io.IOException e) {
                throw new ClassNotFoundException(name, e);
            }
        }
    }
}
