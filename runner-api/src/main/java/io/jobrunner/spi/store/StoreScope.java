package io.jobrunner.spi.store;

/**
 * Which processes can read a {@link JobRequestStore}'s requests: what decides whether work may be
 * handed to another process (an SQS worker, a Lambda function) that must find the request there.
 */
public enum StoreScope {
    /** Only this process (the in-memory store). */
    PROCESS,
    /** Processes on this machine (the embedded SQLite store). */
    MACHINE,
    /** Any process that can reach the database (PostgreSQL). */
    NETWORK
}
