package io.jobrunner.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.jobrunner.HandlerRegistry;
import io.jobrunner.JobRunnerConfig;
import io.jobrunner.JobRunners;
import io.jobrunner.Setting;
import io.jobrunner.lambda.JobRunnerHandler;
import io.jobrunner.spi.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/jobrunner.yaml} against the code: the variables it sets are registered settings,
 * the IAM actions cover every call the code makes to SQS and Lambda, and the settings the Lambda guide
 * asks for (visibility, redrive, partial batch responses, the sweep's schedule) are there.
 */
class DeploymentTemplateTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    /** An SDK call in the code, and the IAM action that authorizes it. */
    private static final Map<String, String> ACTIONS = Map.ofEntries(
            Map.entry("receiveMessage", "sqs:ReceiveMessage"),
            Map.entry("deleteMessage", "sqs:DeleteMessage"),
            Map.entry("deleteMessageBatch", "sqs:DeleteMessage"),
            Map.entry("changeMessageVisibility", "sqs:ChangeMessageVisibility"),
            Map.entry("changeMessageVisibilityBatch", "sqs:ChangeMessageVisibility"),
            Map.entry("getQueueAttributes", "sqs:GetQueueAttributes"),
            Map.entry("sendMessage", "sqs:SendMessage"),
            Map.entry("sendMessageBatch", "sqs:SendMessage"),
            Map.entry("invoke", "lambda:InvokeFunction"));
    private static final Pattern SDK_CALL = Pattern.compile("\\.\\s*(" + String.join("|", ACTIONS.keySet())
            + ")\\s*\\(");

    private static JsonNode template;

    @BeforeAll
    static void readTemplate() throws IOException {
        template = new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("deploy/jobrunner.yaml").toFile());
    }

    private static JsonNode resource(String name) {
        JsonNode resource = template.path("Resources").path(name);
        assertThat(resource.isMissingNode()).as("resource " + name).isFalse();
        return resource.path("Properties");
    }

    /** IAM actions for the SDK calls in a module's main sources. */
    private static Set<String> actionsTheCodeNeeds(String module) throws IOException {
        Set<String> actions = new TreeSet<>();
        for (String source : sources(module)) {
            Matcher matcher = SDK_CALL.matcher(source);
            while (matcher.find()) {
                actions.add(ACTIONS.get(matcher.group(1)));
            }
        }
        return actions;
    }

    private static List<String> sources(String module) throws IOException {
        List<String> texts = new ArrayList<>();
        try (Stream<Path> files = Files.walk(ROOT.resolve(module).resolve("src/main/java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                texts.add(Files.readString(file));
            }
        }
        return texts;
    }

    private static Set<String> actionsOf(JsonNode policyDocument) {
        Set<String> actions = new TreeSet<>();
        for (JsonNode statement : policyDocument.path("Statement")) {
            assertThat(statement.path("Effect").asText()).isEqualTo("Allow");
            JsonNode action = statement.path("Action");
            if (action.isArray()) {
                action.forEach(a -> actions.add(a.asText()));
            } else {
                actions.add(action.asText());
            }
            assertThat(statement.path("Resource").toString()).as("no wildcard resources").doesNotContain("\"*\"");
        }
        return actions;
    }

    @Test
    void everyVariableTheFunctionIsGivenIsASettingAndEveryFixedValueParses() {
        JsonNode variables = resource("JobsFunction").path("Environment").path("Variables");
        Map<String, String> fixed = new TreeMap<>();
        List<String> unknown = new ArrayList<>();
        variables.fields().forEachRemaining(variable -> {
            if (Setting.of(variable.getKey()).isEmpty()) {
                unknown.add(variable.getKey());
            }
            if (variable.getValue().isValueNode()) {
                fixed.put(variable.getKey(), variable.getValue().asText());
            }
        });
        assertThat(unknown).as("variables no Setting defines").isEmpty();
        assertThat(fixed).containsEntry("JOB_RUNNER", "lambda-async");
        // Read as the function reads them: a value of the wrong kind fails here, naming the variable.
        JobRunnerConfig config = JobRunners.builder().environment(fixed).handlers(HandlerRegistry.builder().build())
                .config();
        assertThat(config.runner()).isEqualTo("lambda-async");
        for (Setting setting : Setting.values()) {
            if (fixed.containsKey(setting.variable()) && setting.kind() == Setting.Kind.WHOLE_NUMBER) {
                assertThat(config.settings().integer(setting, 1)).as(setting.variable()).isPositive();
            }
        }
    }

    @Test
    void thePoliciesAllowEveryCallTheCodeMakesAndNothingElse() throws IOException {
        Set<String> worker = new TreeSet<>(actionsTheCodeNeeds("runner-sqs"));
        worker.addAll(actionsTheCodeNeeds("runner-lambda"));
        assertThat(worker).as("the scan finds the calls").contains("sqs:ReceiveMessage", "sqs:SendMessage",
                "sqs:ChangeMessageVisibility", "lambda:InvokeFunction");
        Set<String> functionRole = new TreeSet<>();
        for (JsonNode policy : resource("FunctionRole").path("Policies")) {
            functionRole.addAll(actionsOf(policy.path("PolicyDocument")));
        }
        assertThat(functionRole).isEqualTo(worker);

        Set<String> producerCalls = new TreeSet<>();
        for (String module : List.of("runner-sqs", "runner-lambda")) {
            for (String source : sources(module)) {
                Matcher matcher = SDK_CALL.matcher(source);
                while (matcher.find()) {
                    if (matcher.group(1).startsWith("send") || matcher.group(1).equals("invoke")) {
                        producerCalls.add(ACTIONS.get(matcher.group(1)));
                    }
                }
            }
        }
        assertThat(actionsOf(resource("ProducerPolicy").path("PolicyDocument"))).isEqualTo(producerCalls)
                .containsExactlyInAnyOrder("sqs:SendMessage", "lambda:InvokeFunction");
    }

    @Test
    void theQueueTheFunctionAndTheSweepAreSetAsTheGuideAsks() throws IOException {
        JsonNode parameters = template.path("Parameters");
        int maxAttempts = parameters.path("MaxAttempts").path("Default").asInt();
        int maxReceiveCount = parameters.path("MaxReceiveCount").path("Default").asInt();
        assertThat(maxReceiveCount).as("largest max attempts + 2").isGreaterThanOrEqualTo(maxAttempts + 2);
        int timeout = parameters.path("FunctionTimeout").path("Default").asInt();
        int visibility = parameters.path("QueueVisibilityTimeout").path("Default").asInt();
        assertThat(visibility).as("six times the function's timeout").isGreaterThanOrEqualTo(6 * timeout);

        JsonNode queue = resource("JobsQueue");
        assertThat(queue.path("RedrivePolicy").path("maxReceiveCount").path("Ref").asText()).isEqualTo("MaxReceiveCount");
        assertThat(queue.path("RedrivePolicy").path("deadLetterTargetArn").path("Fn::GetAtt").get(0).asText())
                .isEqualTo("JobsDeadLetterQueue");
        assertThat(queue.path("VisibilityTimeout").path("Ref").asText()).isEqualTo("QueueVisibilityTimeout");

        JsonNode function = resource("JobsFunction");
        assertThat(function.path("Handler").asText()).isEqualTo(JobRunnerHandler.class.getName() + "::handleRequest");
        Matcher runtime = Pattern.compile("java(\\d+)").matcher(function.path("Runtime").asText());
        assertThat(runtime.matches()).as("a Java runtime: " + function.path("Runtime").asText()).isTrue();
        Matcher release = Pattern.compile("<maven.compiler.release>(\\d+)</maven.compiler.release>")
                .matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertThat(release.find()).isTrue();
        assertThat(Integer.parseInt(runtime.group(1))).as("the runtime runs the classes this build compiles")
                .isGreaterThanOrEqualTo(Integer.parseInt(release.group(1)));

        JsonNode mapping = resource("JobsQueueEventSource");
        assertThat(mapping.path("FunctionResponseTypes").get(0).asText()).isEqualTo("ReportBatchItemFailures");
        assertThat(mapping.path("EventSourceArn").path("Fn::GetAtt").get(0).asText()).isEqualTo("JobsQueue");

        JsonNode rule = resource("SweepRule");
        Matcher rate = Pattern.compile("rate\\((\\d+) (minute|minutes)\\)").matcher(rule.path("ScheduleExpression").asText());
        assertThat(rate.matches()).as("a rate in minutes: " + rule.path("ScheduleExpression").asText()).isTrue();
        Duration sweepEvery = Duration.ofMinutes(Long.parseLong(rate.group(1)));
        Duration staleAfter = Settings.of(Map.of()).duration(Setting.HANDOFF_STALE_AFTER);
        assertThat(sweepEvery).as("the sweep re-sends a lost hand-off soon after it is presumed lost")
                .isLessThanOrEqualTo(staleAfter.dividedBy(10));
        assertThat(rule.path("Targets").get(0).path("Arn").path("Fn::GetAtt").get(0).asText()).isEqualTo("JobsFunction");
        JsonNode permission = resource("SweepPermission");
        assertThat(permission.path("Principal").asText()).isEqualTo("events.amazonaws.com");
        assertThat(permission.path("Action").asText()).isEqualTo("lambda:InvokeFunction");
    }

    @Test
    void theDatabaseUrlComesFromASecretAndNeverFromAPlainParameter() {
        JsonNode url = resource("JobsFunction").path("Environment").path("Variables").path("DATABASE_URL");
        assertThat(url.path("Fn::Sub").asText()).as("a dynamic reference to Secrets Manager")
                .matches("\\{\\{resolve:secretsmanager:\\$\\{[A-Za-z]+}:SecretString}}");
        template.path("Parameters").fields().forEachRemaining(parameter -> assertThat(parameter.getKey())
                .as("no parameter carries the URL itself").isNotEqualTo("DatabaseUrl"));
    }

    @Test
    void failedAsynchronousEventsAreKeptAndTheirDestinationMayBeWrittenTo() {
        JsonNode destination = resource("JobsFunctionEventInvokeConfig").path("DestinationConfig").path("OnFailure")
                .path("Destination").path("Fn::GetAtt");
        assertThat(destination.get(0).asText()).isEqualTo("JobsDeadLetterQueue");
        boolean mayWrite = false;
        for (JsonNode policy : resource("FunctionRole").path("Policies")) {
            for (JsonNode statement : policy.path("PolicyDocument").path("Statement")) {
                mayWrite |= statement.path("Action").toString().contains("sqs:SendMessage")
                        && statement.path("Resource").path("Fn::GetAtt").path(0).asText().equals("JobsDeadLetterQueue");
            }
        }
        assertThat(mayWrite).as("the role may send to the on-failure destination").isTrue();
    }

    @Test
    void concurrencyIsBoundedSoTheFunctionsConnectionsAreToo() {
        JsonNode parameters = template.path("Parameters");
        assertThat(resource("JobsFunction").path("ReservedConcurrentExecutions").path("Ref").asText())
                .isEqualTo("MaxConcurrency");
        assertThat(resource("JobsQueueEventSource").path("ScalingConfig").path("MaximumConcurrency").path("Ref").asText())
                .isEqualTo("QueueMaxConcurrency");
        int reserved = parameters.path("MaxConcurrency").path("Default").asInt();
        int queue = parameters.path("QueueMaxConcurrency").path("Default").asInt();
        assertThat(queue).as("the queue leaves containers for invocations").isLessThan(reserved);
        int poolSize = Integer.parseInt(resource("JobsFunction").path("Environment").path("Variables")
                .path("JOB_RUNNER_DB_POOL_SIZE").asText());
        assertThat(reserved * poolSize).as("connections of the function at the defaults, within PostgreSQL's default 100")
                .isLessThanOrEqualTo(100 / 2);
    }

    @Test
    void queuesAreEncryptedAndTheLogIsKeptForALimitedTime() {
        assertThat(resource("JobsQueue").path("SqsManagedSseEnabled").asBoolean()).isTrue();
        assertThat(resource("JobsDeadLetterQueue").path("SqsManagedSseEnabled").asBoolean()).isTrue();
        JsonNode logGroup = resource("JobsFunctionLogGroup");
        assertThat(logGroup.path("LogGroupName").path("Fn::Sub").asText()).isEqualTo("/aws/lambda/${FunctionName}");
        assertThat(logGroup.path("RetentionInDays").path("Ref").asText()).isEqualTo("LogRetentionDays");
        assertThat(template.path("Resources").path("JobsFunction").path("DependsOn").asText())
                .as("the log group exists before the function first logs").isEqualTo("JobsFunctionLogGroup");
    }

    @Test
    void everyReferenceNamesAParameterOrAResource() {
        Set<String> names = new TreeSet<>();
        template.path("Parameters").fieldNames().forEachRemaining(names::add);
        template.path("Resources").fieldNames().forEachRemaining(names::add);
        names.addAll(Set.of("AWS::NoValue", "AWS::Region", "AWS::AccountId", "AWS::Partition"));
        List<String> references = new ArrayList<>();
        collect(template.path("Resources"), references);
        collect(template.path("Outputs"), references);
        assertThat(references).isNotEmpty();
        assertThat(names).containsAll(references);
    }

    private static void collect(JsonNode node, List<String> references) {
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (field.getKey().equals("Ref")) {
                    references.add(field.getValue().asText());
                } else if (field.getKey().equals("Fn::GetAtt")) {
                    references.add(field.getValue().get(0).asText());
                } else if (field.getKey().equals("Fn::Sub") && field.getValue().isTextual()) {
                    Matcher matcher = Pattern.compile("\\$\\{([^}.]+)").matcher(field.getValue().asText());
                    while (matcher.find()) {
                        references.add(matcher.group(1));
                    }
                }
                collect(field.getValue(), references);
            }
        } else if (node.isArray()) {
            node.forEach(child -> collect(child, references));
        }
    }
}
