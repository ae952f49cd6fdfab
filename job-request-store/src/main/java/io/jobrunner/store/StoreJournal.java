package io.jobrunner.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobrunner.JobRequest;
import io.jobrunner.JobStoreException;
import io.jobrunner.PayloadCodec;
import io.jobrunner.ScheduledJob;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded store's file: one JSON line per changed row (the last line of an id wins), one
 * line per purge, and one per schedule saved or removed (the last line of a name wins). Each line is flushed to the operating system before the change is visible, so a
 * process crash loses nothing; a power cut may lose the last lines. Rewritten compactly at open.
 * A lock file keeps a second process out. Not thread-safe: the store serializes calls.
 */
final class StoreJournal implements AutoCloseable {

    static final String FILE_NAME = "job-requests.jsonl";
    private static final Logger log = LoggerFactory.getLogger(StoreJournal.class);
    private static final ObjectMapper MAPPER = PayloadCodec.defaultCodec().mapper();

    private final Path file;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private BufferedWriter writer;

    private StoreJournal(Path file, FileChannel lockChannel, FileLock lock) {
        this.file = file;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    static StoreJournal open(Path directory) {
        Path lockFile = directory.resolve("lock");
        FileChannel channel = null;
        try {
            Files.createDirectories(directory);
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                throw new JobStoreException("The embedded job store in " + directory.toAbsolutePath()
                        + " is in use by another process or store. Close that one, point JOB_RUNNER_EMBEDDED_DIR "
                        + "elsewhere, or set DATABASE_URL to share jobs between processes through PostgreSQL");
            }
            return new StoreJournal(directory.resolve(FILE_NAME), channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new JobStoreException("Cannot open the embedded job store in " + directory.toAbsolutePath()
                    + ": " + e + ". Make the directory writable or set JOB_RUNNER_EMBEDDED_DIR", e);
        }
    }

    /** What the journal holds: requests and schedules as last written. */
    record Contents(List<JobRequest> rows, List<ScheduledJob> schedules) {
    }

    /** The rows and schedules as last written. A torn last line (a crash mid-write) is skipped. */
    Contents replay() {
        if (!Files.exists(file)) {
            return new Contents(List.of(), List.of());
        }
        Map<Long, JobRequest> rows = new LinkedHashMap<>();
        Map<String, ScheduledJob> schedules = new LinkedHashMap<>();
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.isBlank()) {
                    continue;
                }
                try {
                    JsonNode node = MAPPER.readTree(line);
                    if (node.has("purged")) {
                        node.get("purged").forEach(id -> rows.remove(id.asLong()));
                    } else if (node.has("schedule")) {
                        ScheduledJob schedule = MAPPER.treeToValue(node.get("schedule"), ScheduledJob.class);
                        schedules.put(schedule.name(), schedule);
                    } else if (node.has("scheduleRemoved")) {
                        schedules.remove(node.get("scheduleRemoved").asText());
                    } else {
                        JobRequest row = MAPPER.treeToValue(node, JobRequest.class);
                        rows.put(row.id(), row);
                    }
                } catch (IOException e) {
                    if (i < lines.size() - 1) {
                        throw new JobStoreException("The embedded job store " + file.toAbsolutePath()
                                + " is damaged at line " + (i + 1) + ": " + e.getMessage()
                                + ". Move the file away to start empty", e);
                    }
                    log.warn("Skipping a torn last line in {} (a crash during a write)", file);
                }
            }
        } catch (IOException e) {
            throw new JobStoreException("Cannot read the embedded job store " + file.toAbsolutePath() + ": " + e, e);
        }
        return new Contents(new ArrayList<>(rows.values()), new ArrayList<>(schedules.values()));
    }

    /** Rewrites the file with one line per live row, atomically. */
    void compact(Collection<JobRequest> rows, Collection<ScheduledJob> schedules) {
        Path temporary = file.resolveSibling(FILE_NAME + ".tmp");
        try {
            try (BufferedWriter out = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
                for (JobRequest row : rows) {
                    out.write(MAPPER.writeValueAsString(row));
                    out.newLine();
                }
                for (ScheduledJob schedule : schedules) {
                    out.write(MAPPER.writeValueAsString(Map.of("schedule", schedule)));
                    out.newLine();
                }
            }
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new JobStoreException("Cannot write the embedded job store " + file.toAbsolutePath() + ": " + e, e);
        }
    }

    void append(JobRequest row) {
        try {
            writeLine(MAPPER.writeValueAsString(row));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void appendSchedule(ScheduledJob schedule) {
        try {
            writeLine(MAPPER.writeValueAsString(Map.of("schedule", schedule)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void appendScheduleRemoved(String name) {
        try {
            writeLine(MAPPER.writeValueAsString(Map.of("scheduleRemoved", name)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void appendPurge(List<Long> ids) {
        try {
            writeLine(MAPPER.writeValueAsString(Map.of("purged", ids)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void writeLine(String line) {
        try {
            writer.write(line);
            writer.newLine();
            writer.flush();
        } catch (IOException e) {
            throw new JobStoreException("Cannot write the embedded job store " + file.toAbsolutePath() + ": " + e, e);
        }
    }

    @Override
    public void close() {
        try {
            if (writer != null) {
                writer.close();
            }
            lock.release();
        } catch (IOException e) {
            log.warn("Closing the embedded job store {} failed: {}", file, e.toString());
        } finally {
            closeQuietly(lockChannel);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing more to release
            }
        }
    }
}
