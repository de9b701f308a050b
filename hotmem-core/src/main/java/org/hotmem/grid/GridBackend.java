package org.hotmem.grid;

import java.io.PrintWriter;
import java.util.ServiceLoader;

/**
 * A distributed engine that can run {@link GridTask}s, found by {@link ServiceLoader} (so that its
 * jars are needed only when it is used). Selected on the command line as {@code NAME[:CONFIG]},
 * e.g. {@code hazelcast} or {@code hazelcast:cluster.yaml}; what CONFIG means is the engine's.
 */
public interface GridBackend {
    /** The engine's name on the command line ("hazelcast"). */
    String name();

    /**
     * Joins (or forms) the cluster as a member that submits tasks and, with {@code threads > 0},
     * also runs them. Progress and membership changes go to {@code log}.
     */
    GridExecutor connect(String config, int threads, PrintWriter log);

    /** Joins the cluster as a member that only runs tasks, on {@code threads} threads, until the JVM is stopped. */
    void serve(String config, int threads, PrintWriter log) throws InterruptedException;

    /** An engine and its configuration as selected by {@code NAME[:CONFIG]} (CONFIG may be null). */
    record Selected(GridBackend backend, String config) {}

    /**
     * Finds the engine named by {@code spec} ({@code NAME} or {@code NAME:CONFIG}).
     *
     * @throws IllegalArgumentException naming the known engines, or saying which module is missing
     */
    static Selected select(String spec) {
        int colon = spec.indexOf(':');
        String name = colon < 0 ? spec : spec.substring(0, colon);
        String config = colon < 0 || colon == spec.length() - 1 ? null : spec.substring(colon + 1);
        for (GridBackend b : ServiceLoader.load(GridBackend.class)) {
            if (b.name().equals(name)) return new Selected(b, config);
        }
        if (!name.equals("hazelcast")) throw new IllegalArgumentException("unknown cluster engine \"" + name + "\" (known: hazelcast)");
        throw new IllegalArgumentException("--cluster hazelcast needs the hotmem-cluster module on the class path"
                + " (./hotmem adds it when --cluster is given)");
    }
}
