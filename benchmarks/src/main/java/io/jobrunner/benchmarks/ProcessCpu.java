package io.jobrunner.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time used by processes on this machine, from {@code /proc}: this JVM, a child process, and
 * every PostgreSQL process (the server's backends serve every client, the benchmark's own included).
 */
final class ProcessCpu {

    /** Clock ticks per second of {@code /proc/PID/stat}; 100 on Linux. */
    private static final double TICKS_PER_SECOND = 100;

    private ProcessCpu() {
    }

    /** CPU milliseconds this JVM has used. */
    static double thisJvm() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e6;
    }

    /** CPU milliseconds the process has used, 0 when it is gone. */
    static double of(long pid) {
        return ticks(Path.of("/proc", String.valueOf(pid), "stat")) * 1000 / TICKS_PER_SECOND;
    }

    /** CPU milliseconds of every process named {@code postgres}, by pid. */
    static Map<Long, Double> postgres() {
        Map<Long, Double> byPid = new HashMap<>();
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            processes.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).forEach(p -> {
                Path stat = p.resolve("stat");
                try {
                    String line = Files.readString(stat);
                    if (line.contains("(postgres)")) {
                        byPid.put(Long.parseLong(p.getFileName().toString()), ticks(stat) * 1000 / TICKS_PER_SECOND);
                    }
                } catch (IOException | RuntimeException gone) {
                    // the process ended while we looked
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read /proc", e);
        }
        return byPid;
    }

    /** PostgreSQL CPU milliseconds between two samples, counting processes alive at the second (new ones whole). */
    static double postgresBetween(Map<Long, Double> before, Map<Long, Double> after) {
        double used = 0;
        for (Map.Entry<Long, Double> process : after.entrySet()) {
            used += process.getValue() - before.getOrDefault(process.getKey(), 0.0);
        }
        return used;
    }

    private static long ticks(Path stat) {
        try {
            String line = Files.readString(stat);
            String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);  // utime, stime (fields 14 and 15)
        } catch (IOException e) {
            return 0;
        }
    }
}
