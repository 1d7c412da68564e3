package io.livemigrate.scaleout;

import io.livemigrate.core.LivemigrateApplication;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.scheduling.TaskScheduler;
import io.livemigrate.core.MigrationResources;
import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.integration.partition.StepExecutionRequestHandler;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import javax.sql.DataSource;

/**
 * A worker process: consumes partition requests from the queue with {@code copy.threads} consumers, each taking
 * one request at a time (prefetch 1, so requests this process is not running stay in the queue for other
 * workers), and runs them with Spring Batch's {@link StepExecutionRequestHandler} against the shared repository.
 * Expects a {@link ScaleOutSettings} bean and the job configurations whose worker steps it runs.
 */
@Configuration(proxyBeanMethods = false)
public class WorkerConfiguration {

    @Bean(destroyMethod = "destroy")
    CachingConnectionFactory brokerConnectionFactory(ScaleOutSettings settings) {
        return BrokerConnections.open(settings);
    }

    @Bean
    PartitionLeases partitionLeases(DataSource dataSource) {
        return new PartitionLeases(dataSource);
    }

    @Bean(destroyMethod = "close")
    LeaseHeartbeat leaseHeartbeat(PartitionLeases partitionLeases, ScaleOutSettings settings,
                                  @Qualifier(LivemigrateApplication.SCHEDULER) TaskScheduler scheduler) {
        return new LeaseHeartbeat(partitionLeases, settings.heartbeat(), scheduler);
    }

    @Bean
    StepExecutionRequestHandler stepExecutionRequestHandler(JobRepository jobRepository, ListableBeanFactory beans) {
        StepExecutionRequestHandler handler = new StepExecutionRequestHandler();
        handler.setJobRepository(jobRepository);
        handler.setStepLocator(new StepNameLocator(beans));
        return handler;
    }

    @Bean
    SimpleMessageListenerContainer partitionRequestContainer(CachingConnectionFactory brokerConnectionFactory,
                                                             ScaleOutSettings settings, MigrationResources resources,
                                                             JobRepository jobRepository,
                                                             StepExecutionRequestHandler stepExecutionRequestHandler,
                                                             PartitionLeases partitionLeases,
                                                             LeaseHeartbeat leaseHeartbeat) {
        SimpleMessageListenerContainer container = new SimpleMessageListenerContainer(brokerConnectionFactory);
        container.setQueueNames(settings.queue());
        container.setAcknowledgeMode(AcknowledgeMode.MANUAL);
        container.setPrefetchCount(1);
        int threads = resources.plan().copy().threads();
        container.setConcurrentConsumers(threads);
        container.setMaxConcurrentConsumers(threads);
        container.setMessageListener(new PartitionRequestListener(RemoteManagerConfiguration.requestConverter(),
                jobRepository, stepExecutionRequestHandler, partitionLeases, leaseHeartbeat, WorkerIdentity.current(),
                System.out));
        return container;
    }
}
