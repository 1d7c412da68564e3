package io.livemigrate.keyrange;

import java.util.Arrays;
import java.util.List;

/** The copy's ranges as one string in the job execution context: one encoded {@link CopyRange} per record. */
final class RangeList {

    private static final String SEPARATOR = "\u001d";

    private RangeList() {
    }

    static String encode(List<CopyRange> ranges) {
        return String.join(SEPARATOR, ranges.stream().map(CopyRange::encode).toList());
    }

    static List<CopyRange> decode(String encoded) {
        return Arrays.stream(encoded.split(SEPARATOR)).map(CopyRange::decode).toList();
    }
}
