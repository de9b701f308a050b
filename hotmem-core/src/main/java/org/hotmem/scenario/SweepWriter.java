package org.hotmem.scenario;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;

/**
 * A file format for sweep results besides CSV, provided by an optional module and found by
 * {@link ServiceLoader} (so its jars are needed only when it is used). It holds the same table as
 * {@link SweepReport#csv}: the parameters, seed, passed, every metric ({@link SweepReport#metricColumns}) and error.
 */
public interface SweepWriter {
    /** The format's name, as in the {@code --NAME OUT} option ("parquet"). */
    String format();

    void write(Path out, List<String> params, List<Sweep.Row> rows) throws IOException;

    /** The writer of {@code format}, or an error naming the module that provides it. */
    static SweepWriter find(String format) {
        for (SweepWriter w : ServiceLoader.load(SweepWriter.class)) {
            if (w.format().equals(format)) return w;
        }
        throw new IllegalArgumentException("--" + format + " needs the hotmem-" + format + " module on the class path"
                + " (./hotmem adds it when --" + format + " is given)");
    }
}
