package io.jobrunner;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;

/**
 * The task and job handlers this process can run, by name. Immutable and thread-safe.
 *
 * <p>Register handlers explicitly with {@link #builder()}; {@link Builder#discover(ClassLoader)}
 * adds those listed in {@code META-INF/services} as a convenience. Two handlers with one name are
 * an error, wherever they come from.
 */
public final class HandlerRegistry {

    private static final HandlerRegistry EMPTY = new HandlerRegistry(Map.of(), Map.of());

    private final Map<String, TaskHandler<?>> tasks;
    private final Map<String, JobHandler<?>> jobs;

    private HandlerRegistry(Map<String, TaskHandler<?>> tasks, Map<String, JobHandler<?>> jobs) {
        this.tasks = Collections.unmodifiableMap(new LinkedHashMap<>(tasks));
        this.jobs = Collections.unmodifiableMap(new LinkedHashMap<>(jobs));
    }

    /** A registry with no handlers: a producer that only dispatches to other processes. */
    public static HandlerRegistry empty() {
        return EMPTY;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The task handler for a name, if registered. */
    public Optional<TaskHandler<?>> task(String name) {
        return Optional.ofNullable(tasks.get(name));
    }

    /** The job handler for a type, if registered. */
    public Optional<JobHandler<?>> job(String type) {
        return Optional.ofNullable(jobs.get(type));
    }

    /** Registered task names, sorted. */
    public Set<String> taskNames() {
        return Collections.unmodifiableSet(new TreeSet<>(tasks.keySet()));
    }

    /** Registered job types, sorted. */
    public Set<String> jobTypes() {
        return Collections.unmodifiableSet(new TreeSet<>(jobs.keySet()));
    }

    /** True when no handler of either kind is registered. */
    public boolean isEmpty() {
        return tasks.isEmpty() && jobs.isEmpty();
    }

    /** The task handler for a name, or an {@link UnknownHandlerException} listing the known names. */
    public TaskHandler<?> requireTask(String name) {
        TaskHandler<?> handler = tasks.get(name);
        if (handler == null) {
            throw new UnknownHandlerException("task", name, taskNames());
        }
        return handler;
    }

    /** The job handler for a type, or an {@link UnknownHandlerException} listing the known types. */
    public JobHandler<?> requireJob(String type) {
        JobHandler<?> handler = jobs.get(type);
        if (handler == null) {
            throw new UnknownHandlerException("job", type, jobTypes());
        }
        return handler;
    }

    /** Collects handlers; not thread-safe. */
    public static final class Builder {
        private final Map<String, TaskHandler<?>> tasks = new LinkedHashMap<>();
        private final Map<String, JobHandler<?>> jobs = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder task(TaskHandler<?> handler) {
            String name = checkedName(handler.name(), "task", handler);
            TaskHandler<?> previous = tasks.putIfAbsent(name, handler);
            if (previous != null) {
                throw duplicate("task", name, previous, handler);
            }
            return this;
        }

        public Builder job(JobHandler<?> handler) {
            String type = checkedName(handler.type(), "job", handler);
            if (handler.policy().isolation() != null) {
                requireCreatable(type, handler);
            }
            JobHandler<?> previous = jobs.putIfAbsent(type, handler);
            if (previous != null) {
                throw duplicate("job", type, previous, handler);
            }
            return this;
        }

        /** Adds every handler listed in {@code META-INF/services} visible to the class loader. */
        public Builder discover(ClassLoader classLoader) {
            for (TaskHandler<?> handler : load(TaskHandler.class, classLoader)) {
                task(handler);
            }
            for (JobHandler<?> handler : load(JobHandler.class, classLoader)) {
                job(handler);
            }
            return this;
        }

        public HandlerRegistry build() {
            return new HandlerRegistry(tasks, jobs);
        }

        @SuppressWarnings({"rawtypes", "unchecked"})
        private static <T> Iterable<T> load(Class<T> type, ClassLoader classLoader) {
            java.util.List<T> found = new java.util.ArrayList<>();
            var iterator = ServiceLoader.load(type, classLoader).iterator();
            while (true) {
                try {
                    if (!iterator.hasNext()) {
                        return found;
                    }
                    found.add(iterator.next());
                } catch (ServiceConfigurationError e) {
                    throw new HandlerRegistrationException("Could not load a " + type.getSimpleName()
                            + " listed in META-INF/services/" + type.getName() + ": " + e.getMessage()
                            + ". Check that the class exists, is public and has a public no-arg constructor", e);
                }
            }
        }

        /** An isolated job's child JVM creates its own handler: the class must be public with a public no-arg constructor. */
        private static void requireCreatable(String type, JobHandler<?> handler) {
            Class<?> type0 = handler.getClass();
            boolean creatable = java.lang.reflect.Modifier.isPublic(type0.getModifiers()) && !type0.isAnonymousClass()
                    && !type0.isSynthetic() && (type0.getEnclosingClass() == null
                    || java.lang.reflect.Modifier.isStatic(type0.getModifiers()));
            try {
                creatable &= java.lang.reflect.Modifier.isPublic(type0.getConstructor().getModifiers());
            } catch (NoSuchMethodException e) {
                creatable = false;
            }
            if (!creatable) {
                throw new HandlerRegistrationException("The job handler '" + type + "' (" + type0.getName() + ") is"
                        + " isolated, so a child JVM creates its own instance: make it a public top-level or static"
                        + " nested class with a public no-argument constructor (not a lambda or JobHandler.of)");
            }
        }

        private static String checkedName(String name, String kind, Object handler) {
            if (name == null || name.isBlank()) {
                throw new HandlerRegistrationException("The " + kind + " handler " + handler.getClass().getName()
                        + " has a blank name; give it a non-blank name");
            }
            return name;
        }

        private static HandlerRegistrationException duplicate(String kind, String name, Object first, Object second) {
            return new HandlerRegistrationException("Two " + kind + " handlers claim the name '" + name + "': "
                    + first.getClass().getName() + " and " + second.getClass().getName()
                    + "; rename one or register only one");
        }
    }
}
