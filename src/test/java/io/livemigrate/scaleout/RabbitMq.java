package io.livemigrate.scaleout;

import org.junit.jupiter.api.Assumptions;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * The RabbitMQ the scale-out tests use: 127.0.0.1:5672, guest/guest. Where it is not running the tests are
 * skipped with a message; {@code .ci/run} installs and starts one, so CI never skips.
 */
final class RabbitMq {

    static final String URI = "amqp://guest:guest@127.0.0.1:5672";

    private RabbitMq() {
    }

    static void assumeRunning() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", 5672), 1000);
        }
        catch (IOException e) {
            Assumptions.abort("RabbitMQ is not running at 127.0.0.1:5672 (" + e.getMessage() + "); skipping the "
                    + "scale-out test. Install and start it (Debian: apt-get install rabbitmq-server; "
                    + "rabbitmq-server -detached) or run .ci/run");
        }
    }

    static void deleteQueue(String queue) {
        CachingConnectionFactory factory = new CachingConnectionFactory("127.0.0.1", 5672);
        try {
            new RabbitAdmin(factory).deleteQueue(queue);
        }
        finally {
            factory.destroy();
        }
    }
}
