package io.jobrunner.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * Orders, shipped in the background: {@code POST /orders} stores an order and dispatches its
 * shipping job in one transaction; the {@code ship-order} handler bean ships it once the
 * transaction committed — in this process, on a database worker or from SQS, as
 * {@code application.yml}'s profiles say.
 */
@SpringBootApplication
public class OrdersApplication {

    public static void main(String[] args) {
        SpringApplication.run(OrdersApplication.class, args);
    }
}
