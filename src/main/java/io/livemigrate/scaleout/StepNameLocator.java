package io.livemigrate.scaleout;

import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.StepLocator;
import org.springframework.beans.factory.ListableBeanFactory;

import java.util.List;

/**
 * Finds a worker step by its step name ({@code copy-range}), which is what a partition request carries; Spring
 * Batch's {@code BeanFactoryStepLocator} looks up bean names ({@code copyRangeStep}), which differ.
 */
final class StepNameLocator implements StepLocator {

    private final ListableBeanFactory beans;

    StepNameLocator(ListableBeanFactory beans) {
        this.beans = beans;
    }

    @Override
    public Step getStep(String stepName) {
        return steps().stream().filter(s -> s.getName().equals(stepName)).findFirst().orElse(null);
    }

    private List<Step> steps() {
        return List.copyOf(beans.getBeansOfType(Step.class).values());
    }
}
