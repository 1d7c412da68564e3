package io.livemigrate.scaleout;

import io.livemigrate.core.OwnerListener;

/** How a worker names itself in leases and on the console: {@code host:pid}. */
public final class WorkerIdentity {

    private WorkerIdentity() {
    }

    public static String current() {
        return OwnerListener.hostName() + ":" + ProcessHandle.current().pid();
    }
}
