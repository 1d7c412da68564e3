package io.livemigrate.scaleout;

import io.livemigrate.plan.BrokerAddress;
import io.livemigrate.plan.WorkerOptions;

import java.time.Duration;

/**
 * The settings of one scaled-out process (manager or worker), resolved once: which broker, which queue, how
 * often workers prove they are alive and how long the manager waits before failing a silent partition.
 */
public record ScaleOutSettings(BrokerAddress broker, String queue, Duration heartbeat, Duration timeout) {

    /** The environment variable naming the broker when neither the command line nor the plan does. */
    public static final String BROKER_VARIABLE = "LIVEMIGRATE_BROKER_URL";
    static final String BROKER_PASSWORD_VARIABLE = "LIVEMIGRATE_BROKER_PASSWORD";

    /**
     * Resolves the broker: {@code --broker} first, then the plan's {@code workers.broker}, then
     * {@value #BROKER_VARIABLE}.
     *
     * @throws ScaleOutException when none names a broker or the URI is not an AMQP URI
     */
    public static ScaleOutSettings resolve(String cliBroker, WorkerOptions options, String planName,
                                   java.util.function.Function<String, String> env) {
        BrokerAddress broker = options.broker();
        String uri = cliBroker != null ? cliBroker : broker == null ? env.apply(BROKER_VARIABLE) : null;
        if (uri != null) {
            try {
                broker = BrokerAddress.parse(uri, env.apply(BROKER_PASSWORD_VARIABLE));
            }
            catch (IllegalArgumentException e) {
                throw new ScaleOutException("--broker " + e.getMessage());
            }
        }
        if (broker == null) {
            throw new ScaleOutException("remote workers need a message broker: pass --broker amqp://user@host:5672 "
                    + "(password in " + BROKER_PASSWORD_VARIABLE + "), set workers.broker in the plan, or export "
                    + BROKER_VARIABLE);
        }
        return new ScaleOutSettings(broker, options.queueFor(planName), options.heartbeat(), options.timeout());
    }
}
