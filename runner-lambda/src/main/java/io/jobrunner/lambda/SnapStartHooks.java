package io.jobrunner.lambda;

import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;

/**
 * Lambda SnapStart (and any CRaC checkpoint): before the snapshot the function warms what every
 * invocation uses and closes what must not be copied into the many containers restored from it —
 * the store's connections, the Lambda client's, and the lease owner id. After a restore they are
 * built again on first need, so nothing is done then. Without SnapStart this is never called.
 */
final class SnapStartHooks implements Resource {

    /** CRaC keeps resources weakly: the registered hooks live as long as the class. */
    private static volatile SnapStartHooks registered;

    private final FunctionRuntime runtime;

    SnapStartHooks(FunctionRuntime runtime) {
        this.runtime = runtime;
    }

    /** Registers the hooks of the container's runtime with the global CRaC context, once. */
    static synchronized void register(FunctionRuntime runtime) {
        if (registered == null) {
            registered = new SnapStartHooks(runtime);
            Core.getGlobalContext().register(registered);
        }
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        runtime.prepareForSnapshot();
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // the store, the Lambda client and the lease owner id are built again when an event needs them
    }
}
