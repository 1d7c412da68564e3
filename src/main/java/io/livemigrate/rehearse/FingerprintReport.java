package io.livemigrate.rehearse;

import io.livemigrate.repository.Percentiles;

/** A fingerprint's merged statistics, each side's percentiles, whether it regressed, and both plans if it did. */
record FingerprintReport(FingerprintStats stats, Percentiles source, Percentiles target, boolean regression,
                         String sourcePlan, String targetPlan) {
}
