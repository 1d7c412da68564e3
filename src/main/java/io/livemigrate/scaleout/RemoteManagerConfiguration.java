package io.livemigrate.scaleout;

import io.livemigrate.core.LivemigrateApplication;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.support.converter.JacksonJsonMessageConverter;
import org.springframework.amqp.support.converter.MessageConverter;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.amqp.dsl.Amqp;
import org.springframework.integration.channel.DirectChannel;
import org.springframework.integration.config.EnableIntegration;
import org.springframework.integration.dsl.IntegrationFlow;

import javax.sql.DataSource;

/**
 * Added to a job's context in remote mode: partition requests leave through a Spring Integration channel to the
 * broker's queue (Spring Integration AMQP), and {@link RemotePartitioning} builds the manager steps. Expects a
 * {@link ScaleOutSettings} bean, registered by the command after it checked the broker.
 */
@Configuration(proxyBeanMethods = false)
@EnableIntegration
public class RemoteManagerConfiguration {

    /** The partition requests travel as JSON, readable in the broker's management UI. */
    static MessageConverter requestConverter() {
        return new JacksonJsonMessageConverter("org.springframework.batch.integration.partition");
    }

    @Bean(destroyMethod = "destroy")
    CachingConnectionFactory brokerConnectionFactory(ScaleOutSettings settings) {
        return BrokerConnections.open(settings);
    }

    @Bean
    RabbitTemplate partitionRequestTemplate(CachingConnectionFactory brokerConnectionFactory) {
        RabbitTemplate template = new RabbitTemplate(brokerConnectionFactory);
        template.setMessageConverter(requestConverter());
        return template;
    }

    @Bean
    DirectChannel partitionRequests() {
        return new DirectChannel();
    }

    @Bean
    IntegrationFlow partitionRequestsToBroker(DirectChannel partitionRequests, RabbitTemplate partitionRequestTemplate,
                                              ScaleOutSettings settings) {
        return IntegrationFlow.from(partitionRequests)
                .handle(Amqp.outboundAdapter(partitionRequestTemplate).routingKey(settings.queue()))
                .get();
    }

    @Bean
    RemotePartitioning remotePartitioning(JobRepository jobRepository, DirectChannel partitionRequests,
                                          DataSource dataSource, ScaleOutSettings settings,
                                          @Qualifier(LivemigrateApplication.SCHEDULER) TaskScheduler scheduler) {
        return new RemotePartitioning(jobRepository, partitionRequests, new PartitionLeases(dataSource),
                settings, scheduler);
    }
}
