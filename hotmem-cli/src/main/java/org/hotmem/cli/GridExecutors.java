package org.hotmem.cli;

import org.hotmem.grid.GridBackend;
import org.hotmem.grid.GridExecutor;
import org.hotmem.grid.LocalGridExecutor;

import java.io.PrintWriter;

/** The CLI's choice of {@link GridExecutor} ({@code --cluster}) and its progress line on stderr. */
final class GridExecutors {
    private GridExecutors() {}

    /** A local pool of {@code threads}, or with {@code cluster} = {@code NAME[:CONFIG]} a member of that cluster. */
    static GridExecutor open(String cluster, int threads, PrintWriter err) {
        if (cluster == null) return new LocalGridExecutor(threads);
        GridBackend.Selected s = GridBackend.select(cluster);
        return s.backend().connect(s.config(), threads, err);
    }

    /** "k/n tasks" redrawn in place when stderr is a terminal, erased when the last task is done. */
    static GridExecutor.Progress progress(PrintWriter err) {
        if (!ProgressBar.terminal()) return GridExecutor.Progress.NONE;
        return (done, total) -> {
            err.print(done < total ? "\r" + done + "/" + total + " tasks" : "\r" + " ".repeat(30) + "\r");
            err.flush();
        };
    }
}
