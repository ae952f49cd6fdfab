package io.jobrunner.spring.boot;

import io.jobrunner.JobContext;
import io.jobrunner.JobData;
import io.jobrunner.JobHandler;
import io.jobrunner.RecurringJob;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * The bean methods annotated {@link Recurring}, found from the bean definitions' types without
 * creating the beans: each becomes a job handler that calls the method on the bean when the job
 * runs, and a {@link RecurringJob} that dispatches it. A bean of the starter's, so the bean factory is
 * searched once.
 */
public final class RecurringMethods {

    /** One annotated method of one bean. */
    record Found(String beanName, Method method, Recurring recurring) {

        String name() {
            return recurring.name().isBlank() ? beanName + "." + method.getName() : recurring.name();
        }

        JobHandler<Void> handler(ConfigurableListableBeanFactory beans) {
            boolean takesContext = method.getParameterCount() == 1;
            ReflectionUtils.makeAccessible(method);
            return JobHandler.of(name(), Void.class, (ignored, context) -> {
                Object bean = beans.getBean(beanName);
                try {
                    return takesContext ? method.invoke(bean, context) : method.invoke(bean);
                } catch (InvocationTargetException e) {
                    throw e.getCause() instanceof Exception cause ? cause : e;
                }
            });
        }

        RecurringJob job() {
            ZoneId zone;
            try {
                zone = ZoneId.of(recurring.zone());
            } catch (DateTimeException e) {
                throw new IllegalStateException("@Recurring on " + where() + " names time zone '" + recurring.zone()
                        + "', which Java does not know: use a region such as 'Europe/Paris' or 'UTC'", e);
            }
            try {
                return RecurringJob.builder(name()).schedule(recurring.value()).zone(zone).job(JobData.of(name(), null)).build();
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("@Recurring on " + where() + ": " + e.getMessage(), e);
            }
        }

        String where() {
            return method.getDeclaringClass().getName() + "." + method.getName() + "() of bean '" + beanName + "'";
        }
    }

    private final List<Found> found;

    RecurringMethods(List<Found> found) {
        this.found = List.copyOf(found);
    }

    /** The annotated methods, found once for the handlers and the schedules. */
    List<Found> found() {
        return found;
    }

    static RecurringMethods find(ConfigurableListableBeanFactory beans) {
        List<Found> found = new ArrayList<>();
        for (String name : beans.getBeanDefinitionNames()) {
            Class<?> type = beans.getType(name, false);
            if (type == null || type.getName().startsWith("org.springframework.")) {
                continue;
            }
            Map<Method, Recurring> methods = MethodIntrospector.selectMethods(ClassUtils.getUserClass(type),
                    (MethodIntrospector.MetadataLookup<Recurring>) method ->
                            AnnotatedElementUtils.findMergedAnnotation(method, Recurring.class));
            methods.forEach((method, recurring) -> {
                Found one = new Found(name, method, recurring);
                boolean fits = method.getParameterCount() == 0
                        || method.getParameterCount() == 1 && method.getParameterTypes()[0] == JobContext.class;
                if (!fits) {
                    throw new IllegalStateException("@Recurring on " + one.where() + ": the method must take no parameters"
                            + " or one JobContext, it takes " + List.of(method.getParameterTypes()));
                }
                found.add(one);
            });
        }
        return new RecurringMethods(found);
    }
}
