package org.hotmem.dashboard;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.Deque;
import org.hotmem.kernel.KernelException;
import org.hotmem.machine.LiveMachine;

/**
 * The sysfs writes the page has issued, newest last: each runs in its own user task, as
 * {@code echo VALUE > PATH} from a shell would, and may block for long (an offline that retries
 * while pages are pinned); the page shows it running, lets the user send its task a signal, and
 * shows how it ended: done, or the errno the write(2) returned.
 *
 * <p>Thread-safe (monitor): HTTP threads add writes and signal them; the futures complete on the
 * live machine's owner thread.
 */
final class Writes {
    /** How many finished writes the page keeps showing. */
    static final int KEEP = 20;

    private static final class Write {
        final int id;
        final String path;
        final String value;
        final LiveMachine.GuestCall<Void> call;
        String outcome = "running";
        String errno;
        String message;

        Write(int id, String path, String value, LiveMachine.GuestCall<Void> call) {
            this.id = id;
            this.path = path;
            this.value = value;
            this.call = call;
        }
    }

    private final Deque<Write> writes = new ArrayDeque<>();
    private final Runnable finished;
    private int next = 1;

    /** {@code finished} is told when a write has returned. */
    Writes(Runnable finished) {
        this.finished = finished;
    }

    /** Starts {@code echo value > path} in the machine; returns the write's id. */
    synchronized int start(LiveMachine live, String path, String value) {
        LiveMachine.GuestCall<Void> call = live.inTask("sh", m -> {
            m.fs().openForWrite(path, true).write(value + "\n");
            return null;
        });
        Write w = new Write(next++, path, value, call);
        writes.addLast(w);
        call.future().whenComplete((ok, e) -> {
            finished(w, e);
            finished.run();
        });
        trim();
        return w.id;
    }

    /** Sends {@code sig} to the task of write {@code id}; false when it is not running. */
    synchronized boolean signal(int id, int sig) {
        for (Write w : writes) {
            if (w.id == id && w.outcome.equals("running")) {
                w.call.signal(sig);
                return true;
            }
        }
        return false;
    }

    private synchronized void finished(Write w, Throwable e) {
        Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause == null) {
            w.outcome = "done";
        } else if (cause instanceof KernelException k) {
            w.outcome = "error";
            w.errno = k.errno().name();
            w.message = "write error: " + k.errno().strerror();
        } else {
            w.outcome = "error";
            w.message = cause.getMessage();
        }
        trim();
    }

    /** Drops the oldest finished writes beyond {@link #KEEP}. */
    private void trim() {
        long finished = writes.stream().filter(w -> !w.outcome.equals("running")).count();
        var it = writes.iterator();
        while (finished > KEEP && it.hasNext()) {
            if (!it.next().outcome.equals("running")) {
                it.remove();
                finished--;
            }
        }
    }

    synchronized ArrayNode toJson() {
        ArrayNode arr = JsonNodeFactory.instance.arrayNode();
        for (Write w : writes) {
            ObjectNode o = arr.addObject();
            o.put("id", w.id);
            o.put("path", w.path);
            o.put("value", w.value);
            o.put("outcome", w.outcome);
            if (w.errno != null) {
                o.put("errno", w.errno);
            }
            if (w.message != null) {
                o.put("message", w.message);
            }
        }
        return arr;
    }
}
