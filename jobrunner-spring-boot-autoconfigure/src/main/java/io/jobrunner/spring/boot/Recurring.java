package io.jobrunner.spring.boot;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a bean method as a recurring job: the starter registers a job handler that calls the method
 * (on the bean as the context holds it, with its dependencies) and defines a schedule that
 * dispatches it. The method takes no parameters, or one {@link io.jobrunner.JobContext}; what it
 * returns is stored as the job's result. Like every job it runs once per occurrence across all
 * processes sharing the store, retried by the job type's policy.
 *
 * <pre>{@code
 * @Recurring(value = "0 0 2 * * *", zone = "Europe/Paris")
 * public void nightlyReport() { … }
 *
 * @Recurring(value = "every 5 minutes", name = "refresh-rates")
 * public void refreshRates() { … }
 * }</pre>
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Recurring {

    /** When it runs: a cron expression with seconds ({@code "0 0 2 * * *"}) or an interval ({@code "every 5 minutes"}). */
    String value();

    /** The schedule's name and the job's type; the bean's name and the method's, {@code "reports.nightly"}, by default. */
    String name() default "";

    /** The time zone cron fields are read in; UTC by default. */
    String zone() default "UTC";
}
