package org.hotmem.cli;

import org.hotmem.hv.QemuConfigException;
import org.hotmem.machine.LiveMachine;
import org.hotmem.machine.QmpServer;
import sun.misc.Signal;

/**
 * What the live commands share: the booted machine served live, and its QMP socket when
 * {@code --qmp} asks for one. Closing stops both.
 */
final class LiveHost implements AutoCloseable {
    private final LiveMachine live;
    private final QmpServer qmp;

    private LiveHost(LiveMachine live, QmpServer qmp) {
        this.live = live;
        this.qmp = qmp;
    }

    /** Boots and starts; null (after printing why) when the configuration or the socket is refused. */
    static LiveHost start(LiveOptions o, String who, java.util.function.Consumer<String> kernelLog) {
        LiveMachine live;
        try {
            live = o.start(kernelLog);
        } catch (QemuConfigException e) {
            System.err.println(who + ": " + e.getMessage());
            return null;
        } catch (IllegalArgumentException e) {
            System.err.println(who + ": " + e.getMessage());
            return null;
        }
        QmpServer qmp = null;
        if (o.qmp != null) {
            try {
                qmp = QmpServer.start(live, o.qmp);
            } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
                System.err.println(who + ": -qmp " + o.qmp + ": " + e.getMessage());
                live.close();
                return null;
            }
        }
        return new LiveHost(live, qmp);
    }

    LiveMachine live() {
        return live;
    }

    /**
     * Ctrl-C is for the foreground program (it shares our terminal); we wait for it to end. A
     * handler that does nothing, not SIG_IGN: an ignored signal would stay ignored in the child.
     */
    static void ignoreInterrupts() {
        Signal.handle(new Signal("INT"), sig -> { });
    }

    @Override
    public void close() {
        if (qmp != null) {
            qmp.close();
        }
        live.close();
    }
}
