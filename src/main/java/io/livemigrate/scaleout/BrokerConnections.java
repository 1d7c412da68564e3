package io.livemigrate.scaleout;

import io.livemigrate.plan.BrokerAddress;
import org.springframework.amqp.AmqpAuthenticationException;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;

/** Opens the connection factory of a broker and proves the broker is there before any job starts. */
final class BrokerConnections {

    private BrokerConnections() {
    }

    /**
     * Connects, declares the durable request queue (so requests wait there for workers that start later) and
     * returns the factory.
     *
     * @throws ScaleOutException naming the broker (password masked) and what to check
     */
    static CachingConnectionFactory open(ScaleOutSettings settings) {
        BrokerAddress broker = settings.broker();
        CachingConnectionFactory factory = new CachingConnectionFactory(broker.host(), broker.port());
        factory.setUsername(broker.user());
        factory.setPassword(broker.password().reveal());
        factory.setVirtualHost(broker.virtualHost());
        factory.setConnectionTimeout(5000);
        factory.getRabbitConnectionFactory().setAutomaticRecoveryEnabled(false);
        try {
            factory.createConnection().close();
            new RabbitAdmin(factory).declareQueue(new Queue(settings.queue(), true, false, false));
            return factory;
        }
        catch (AmqpAuthenticationException e) {
            factory.destroy();
            throw new ScaleOutException("broker " + broker + ": the broker refused the login; check the user and "
                    + "password (" + ScaleOutSettings.BROKER_PASSWORD_VARIABLE + ")");
        }
        catch (RuntimeException e) {
            factory.destroy();
            throw new ScaleOutException("broker " + broker + ": cannot connect (" + rootCause(e)
                    + "); is RabbitMQ running there, and are host and port right?");
        }
    }

    /** The innermost exception's class and message, which for connection errors never echo the password. */
    private static String rootCause(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }
}
