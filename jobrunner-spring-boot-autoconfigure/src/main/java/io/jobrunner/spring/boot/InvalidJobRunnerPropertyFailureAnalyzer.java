package io.jobrunner.spring.boot;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a bad {@code jobrunner.*} value into Spring Boot's start-up failure report: what is wrong, and what to change. */
final class InvalidJobRunnerPropertyFailureAnalyzer extends AbstractFailureAnalyzer<InvalidJobRunnerPropertyException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidJobRunnerPropertyException cause) {
        return new FailureAnalysis(cause.getMessage(), "Change " + cause.source() + " (now '" + cause.value()
                + "') to a value of the kind named above; docs/spring-boot.md lists every jobrunner.* property.", cause);
    }
}
