package io.jobrunner.examples.spring;

import io.jobrunner.JobData;
import io.jobrunner.JobRequest;
import io.jobrunner.JobRunner;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** The orders table, and the one place an order and its shipping job are stored together. */
@Service
public class Orders {

    /** An order as the API shows it. */
    public record Order(long id, String item, String shippedBy, Long shippingJob) {
    }

    private final JdbcTemplate database;
    private final JobRunner jobRunner;

    public Orders(JdbcTemplate database, JobRunner jobRunner) {
        this.database = database;
        this.jobRunner = jobRunner;
        database.execute("CREATE TABLE IF NOT EXISTS orders (id bigserial PRIMARY KEY, item text NOT NULL,"
                + " shipped_by text, shipping_job bigint)");
    }

    /** Stores the order and its shipping job in one transaction: both are there, or neither. */
    @Transactional
    public Order place(String item) {
        if (item == null || item.isBlank()) {
            throw new IllegalArgumentException("An order needs an item, e.g. {\"item\": \"a chair\"}");
        }
        long id = database.queryForObject("INSERT INTO orders (item) VALUES (?) RETURNING id", Long.class, item);
        JobRequest shipping = jobRunner.dispatchJob(JobData.of("ship-order", id));
        database.update("UPDATE orders SET shipping_job = ? WHERE id = ?", shipping.id(), id);
        return new Order(id, item, null, shipping.id());
    }

    public Optional<Order> find(long id) {
        return database.query("SELECT id, item, shipped_by, shipping_job FROM orders WHERE id = ?",
                (rs, row) -> new Order(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4)), id).stream().findFirst();
    }

    /** Marks the order shipped by {@code worker}; false when it was shipped already (a job may run twice). */
    public boolean markShipped(long id, String worker) {
        return database.update("UPDATE orders SET shipped_by = ? WHERE id = ? AND shipped_by IS NULL", worker, id) == 1;
    }

    Map<String, Object> status(Order order) {
        return Map.of("order", order, "shippingJob", jobRunner.jobs().find(order.shippingJob())
                .map(job -> job.status().dbValue()).orElse("unknown"));
    }
}
