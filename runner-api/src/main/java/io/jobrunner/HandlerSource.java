package io.jobrunner;

import java.util.function.Supplier;

/**
 * Builds an application's handlers — with whatever they depend on — for a worker the application
 * does not write itself: {@code jobrunner worker --handlers com.example.MyHandlers} (or
 * {@code JOB_RUNNER_HANDLERS}) creates the named class with its public no-argument constructor and
 * runs the handlers {@link #get()} returns. Handlers listed in {@code META-INF/services} need none.
 *
 * <pre>{@code
 * public final class MyHandlers implements HandlerSource {
 *     public HandlerRegistry get() {
 *         Mailer mailer = Mailer.fromEnvironment();
 *         return HandlerRegistry.builder().job(new SendInvoice(mailer)).task(new Notify(mailer)).build();
 *     }
 * }
 * }</pre>
 */
@FunctionalInterface
public interface HandlerSource extends Supplier<HandlerRegistry> {
}
