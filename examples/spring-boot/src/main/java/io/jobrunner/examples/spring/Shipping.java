package io.jobrunner.examples.spring;

import io.jobrunner.JobHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The job handler: a bean like any other, with the orders it needs injected. */
@Configuration(proxyBeanMethods = false)
public class Shipping {

    private static final Logger log = LoggerFactory.getLogger(Shipping.class);

    @Bean
    JobHandler<Long> shipOrder(Orders orders) {
        return JobHandler.of("ship-order", Long.class, (orderId, context) -> {
            String worker = context.request().lockedBy();
            if (orders.markShipped(orderId, worker)) {
                log.info("Shipped order {} on {}", orderId, worker);
            }
            return "order " + orderId + " shipped";
        });
    }
}
