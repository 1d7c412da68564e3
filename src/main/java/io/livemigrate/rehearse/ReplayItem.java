package io.livemigrate.rehearse;

import io.livemigrate.engine.LoggedStatement;

import java.util.List;

/**
 * One logged statement on its way through the rehearse step: where it is in the log, how it was classified, and the
 * session settings ({@code SET ...}, {@code USE ...}) its session had made before it, in the order made.
 */
record ReplayItem(long ordinal, LoggedStatement statement, Classification classification, List<String> settings,
                  boolean sampled) {
}
