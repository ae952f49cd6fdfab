package io.jobrunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ScheduleTest {

    private static final ZoneId UTC = ZoneOffset.UTC;

    private static Instant next(String spec, String after) {
        return Schedule.parse(spec).nextAfter(Instant.parse(after), UTC);
    }

    @Test
    void secondsFieldWithAStepFromAnOffset() {
        assertThat(next("0 1/5 * * * *", "2026-11-23T10:00:00Z")).isEqualTo("2026-11-23T10:01:00Z");
        assertThat(next("0 1/5 * * * *", "2026-11-23T10:01:00Z")).isEqualTo("2026-11-23T10:06:00Z");
        assertThat(next("0 1/5 * * * *", "2026-11-23T10:56:00Z")).isEqualTo("2026-11-23T11:01:00Z");
        assertThat(next("*/15 * * * * *", "2026-11-23T10:00:14.999Z")).isEqualTo("2026-11-23T10:00:15Z");
    }

    @Test
    void everySecondFiresOnTheNextWholeSecondStrictlyAfter() {
        assertThat(next("* * * * * *", "2026-11-23T10:00:00Z")).isEqualTo("2026-11-23T10:00:01Z");
        assertThat(next("* * * * * *", "2026-11-23T10:00:00.400Z")).isEqualTo("2026-11-23T10:00:01Z");
    }

    @Test
    void namesRangesAndListsInDayAndMonthFields() {
        // 2026-11-23 is a Monday.
        assertThat(next("0 0 2 * * MON-FRI", "2026-11-21T12:00:00Z")).isEqualTo("2026-11-23T02:00:00Z");
        assertThat(next("0 30 9 1,15 * ?", "2026-11-23T00:00:00Z")).isEqualTo("2026-12-01T09:30:00Z");
        assertThat(next("0 0 0 1 JAN *", "2026-11-23T00:00:00Z")).isEqualTo("2027-01-01T00:00:00Z");
        assertThat(next("0 0 12 * * SUN", "2026-11-23T00:00:00Z")).isEqualTo("2026-11-29T12:00:00Z");
        assertThat(next("0 0 12 * * 7", "2026-11-23T00:00:00Z")).isEqualTo("2026-11-29T12:00:00Z");
    }

    @Test
    void bothDayFieldsRestrictedMatchEitherAsClassicCron() {
        // The 13th, or any Friday: Friday 2026-11-27 comes before 2026-12-13.
        assertThat(next("0 0 0 13 * FRI", "2026-11-23T00:00:00Z")).isEqualTo("2026-11-27T00:00:00Z");
    }

    @Test
    void fiveFieldsMeanSecondZero() {
        assertThat(next("*/10 * * * *", "2026-11-23T10:01:30Z")).isEqualTo("2026-11-23T10:10:00Z");
    }

    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");

    /** Every occurrence in [from, to). */
    private static java.util.List<Instant> occurrences(String spec, String from, String to) {
        Schedule schedule = Schedule.parse(spec);
        java.util.List<Instant> fired = new java.util.ArrayList<>();
        Instant next = schedule.nextAfter(Instant.parse(from), PARIS);
        while (next.isBefore(Instant.parse(to))) {
            fired.add(next);
            next = schedule.nextAfter(next, PARIS);
        }
        return fired;
    }

    @Test
    void aWallTimeThatOccursTwiceWhenClocksGoBackFiresOnceAtItsFirstOccurrence() {
        // 2026-10-25 in Paris: 03:00 CEST becomes 02:00 CET, so 02:30 happens at 00:30Z and again at 01:30Z.
        assertThat(occurrences("0 30 2 * * *", "2026-10-24T12:00:00Z", "2026-10-26T12:00:00Z"))
                .containsExactly(Instant.parse("2026-10-25T00:30:00Z"), Instant.parse("2026-10-26T01:30:00Z"));
        // Every 20 minutes: the repeated hour's wall times fire once, then the schedule goes on after it.
        assertThat(occurrences("0 */20 * * * *", "2026-10-25T00:10:00Z", "2026-10-25T02:30:00Z"))
                .containsExactly(Instant.parse("2026-10-25T00:20:00Z"), Instant.parse("2026-10-25T00:40:00Z"),
                        Instant.parse("2026-10-25T02:00:00Z"), Instant.parse("2026-10-25T02:20:00Z"));
    }

    @Test
    void aWallTimeThatDoesNotOccurWhenClocksGoForwardFiresAtTheShiftedInstant() {
        // 2026-03-29 in Paris: 02:00 CET becomes 03:00 CEST, so 02:30 does not exist; it fires at 03:30 CEST (01:30Z).
        assertThat(occurrences("0 30 2 * * *", "2026-03-28T12:00:00Z", "2026-03-30T12:00:00Z"))
                .containsExactly(Instant.parse("2026-03-29T01:30:00Z"), Instant.parse("2026-03-30T00:30:00Z"));
        // A schedule at 02:30 and 03:30 fires once at 03:30 CEST that day, not twice.
        assertThat(occurrences("0 30 2,3 * * *", "2026-03-28T23:00:00Z", "2026-03-29T12:00:00Z"))
                .containsExactly(Instant.parse("2026-03-29T01:30:00Z"));
        // Every second across the gap: no second is skipped or repeated.
        java.util.List<Instant> seconds = occurrences("* * * * * *", "2026-03-29T00:59:58Z", "2026-03-29T01:00:02Z");
        assertThat(seconds).containsExactly(Instant.parse("2026-03-29T00:59:59Z"), Instant.parse("2026-03-29T01:00:00Z"),
                Instant.parse("2026-03-29T01:00:01Z"));
    }

    @Test
    void cronFieldsAreReadInTheGivenZone() {
        Instant next = Schedule.parse("0 0 2 * * *").nextAfter(Instant.parse("2026-11-23T00:00:00Z"),
                ZoneId.of("Europe/Paris"));
        assertThat(next).isEqualTo("2026-11-23T01:00:00Z");
    }

    @Test
    void intervalsAreAlignedToTheEpochSoEveryProcessAgrees() {
        assertThat(next("every 5 minutes", "2026-11-23T10:03:12Z")).isEqualTo("2026-11-23T10:05:00Z");
        assertThat(next("every 5 minutes", "2026-11-23T10:05:00Z")).isEqualTo("2026-11-23T10:10:00Z");
        assertThat(next("Every minute", "2026-11-23T10:05:00.5Z")).isEqualTo("2026-11-23T10:06:00Z");
        assertThat(next("every 2 hours", "2026-11-23T09:00:00Z")).isEqualTo("2026-11-23T10:00:00Z");
        assertThat(next("every 1 day", "2026-11-23T09:00:00Z")).isEqualTo("2026-11-24T00:00:00Z");
        assertThat(next("every 30 seconds", "2026-11-23T09:00:29Z")).isEqualTo("2026-11-23T09:00:30Z");
    }

    @Test
    void theLatestOccurrenceUpToNowSkipsTheMissedOnes() {
        Instant from = Instant.parse("2026-11-23T08:00:00Z");
        Instant now = Instant.parse("2026-11-23T10:07:30Z");
        assertThat(Schedule.parse("every 5 minutes").latestUpTo(from, now, UTC)).isEqualTo("2026-11-23T10:05:00Z");
        assertThat(Schedule.parse("0 */5 * * * *").latestUpTo(from, now, UTC)).isEqualTo("2026-11-23T10:05:00Z");
    }

    @Test
    void badSchedulesAreRefusedNamingThePartAndTheForm() {
        assertThatThrownBy(() -> Schedule.parse("0 61 * * * *"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minute 61").hasMessageContaining("0-59");
        assertThatThrownBy(() -> Schedule.parse("0 * * * *  * *"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("7 fields")
                .hasMessageContaining("second minute hour day-of-month month day-of-week");
        assertThatThrownBy(() -> Schedule.parse("0 0 0 * FOO *"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("month").hasMessageContaining("'FOO'");
        assertThatThrownBy(() -> Schedule.parse("0 0 0 31 2 *"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("never fires");
        assertThatThrownBy(() -> Schedule.parse("0 10-5 * * * *"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("backwards");
        assertThatThrownBy(() -> Schedule.parse("every 5 fortnights"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("every N minutes");
        assertThatThrownBy(() -> Schedule.parse("every 0 seconds"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> Schedule.parse(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'every 5 minutes'");
    }

    @Test
    void aRecurringJobRefusesAJobWithItsOwnDedupKeyOrRunAt() {
        assertThatThrownBy(() -> RecurringJob.builder("nightly").schedule("every 1 day")
                .job(JobData.builder("report").dedupKey("mine").build()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'nightly'")
                .hasMessageContaining("no dedup key");
        assertThatThrownBy(() -> RecurringJob.builder("nightly").job(JobData.of("report", null)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no schedule");
    }

    @Test
    void aPolicyAllowingRetriesMustBeIdempotent() {
        assertThatThrownBy(() -> JobPolicy.builder().maxAttempts(3).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("idempotent");
        JobPolicy policy = JobPolicy.builder().idempotent().retryOn(java.io.IOException.class)
                .abortOn(java.io.FileNotFoundException.class).build();
        assertThat(policy.maxAttempts()).isEqualTo(JobPolicy.DEFAULT_IDEMPOTENT_ATTEMPTS);
        assertThat(policy.retries(new java.io.IOException("x"))).isTrue();
        assertThat(policy.retries(new java.io.FileNotFoundException("x"))).isFalse();
        assertThat(policy.retries(new IllegalStateException("x"))).isFalse();
        assertThat(JobPolicy.defaults().retries(new java.io.IOException("x"))).isFalse();
    }
}
