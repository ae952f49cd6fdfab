package io.jobrunner.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobrunner.local.ChildJvm;
import io.jobrunner.local.LocalSqs;
import io.jobrunner.testkit.ChaosRun;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * SQS workers as processes on a real SQS server (ElasticMQ), SIGKILLed every few seconds while
 * thousands of jobs run, and cut off from PostgreSQL once for several seconds by a proxy: see
 * {@link ChaosRun}.
 */
class SqsWorkerChaosTest extends SqsFixtures {

    @Test
    void killedWorkersAndALostDatabaseLoseNoJobAndNeverOverlapTwoRunsOfOne() throws Exception {
        LocalSqs.Queue queue = sqs.createQueue("chaos", 5, 50);
        Map<String, String> workerSettings = settings(queue,
                "JOB_RUNNER_DB_POOL_SIZE", "6",
                "JOB_RUNNER_LEASE_TIME", "3s",
                "JOB_RUNNER_SQS_POLLERS", "2");
        ChaosRun.Figures figures = new ChaosRun("SQS workers", postgres, store, producer(settings(queue)),
                workerSettings, settings -> ChildJvm.start(SqsWorkerMain.class.getName(), settings, List.of("-Xmx256m")))
                .run();
        assertThat(figures.kills()).isGreaterThanOrEqualTo(2);
        assertThat(figures.workersThroughCut()).isEqualTo(figures.workers());
    }
}
