package io.jobrunner.examples.spring;

import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /orders {"item": "a chair"}} places an order; {@code GET /orders/ID} shows it and its shipping job. */
@RestController
public class OrderController {

    /** The body of {@code POST /orders}. */
    public record NewOrder(String item) {
    }

    private final Orders orders;

    public OrderController(Orders orders) {
        this.orders = orders;
    }

    @PostMapping("/orders")
    public ResponseEntity<Orders.Order> place(@RequestBody NewOrder order) {
        return ResponseEntity.status(HttpStatus.CREATED).body(orders.place(order.item()));
    }

    @GetMapping("/orders/{id}")
    public ResponseEntity<Map<String, Object>> show(@PathVariable("id") long id) {
        return orders.find(id).map(order -> ResponseEntity.ok(orders.status(order)))
                .orElseGet(() -> ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("error", "no order " + id)));
    }

    @ExceptionHandler(IllegalArgumentException.class)
    public ResponseEntity<Map<String, String>> badOrder(IllegalArgumentException e) {
        return ResponseEntity.badRequest().body(Map.of("error", e.getMessage()));
    }
}
