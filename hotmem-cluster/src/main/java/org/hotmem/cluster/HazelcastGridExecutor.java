package org.hotmem.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.ExecutionCallback;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.core.MemberLeftException;
import com.hazelcast.spi.exception.TargetNotMemberException;
import org.hotmem.grid.GridExecutor;
import org.hotmem.grid.GridTask;
import org.hotmem.grid.InOrder;

import java.io.PrintWriter;
import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * A {@link GridExecutor} on a Hazelcast cluster, through the member {@code hz} (embedded in this JVM).
 *
 * <p>Dispatch: the calling thread keeps the pending task indices (lowest first, so results can
 * stream out in order early) and gives each hotmem member at most {@value #DEPTH} times its
 * {@value MemberConfig#THREADS} tasks at a time ({@code submitToMember}: its threads busy and as
 * many tasks queued, so that no thread idles while a result travels back and the next task comes);
 * members that are not hotmem members get none. Hazelcast's
 * callbacks only post events to a queue; the calling thread alone touches the dispatch state, so
 * it needs no lock. When a member leaves, Hazelcast fails its outstanding invocations
 * ({@link MemberLeftException} and kin); those tasks go back to the front of the queue and run
 * elsewhere, which is safe because tasks are idempotent, and a result that arrives twice is
 * ignored by the {@link InOrder} buffer. Any other failure of a task fails the run.
 *
 * <p>Invariant: {@code running} maps each member's UUID to the number of its tasks in flight;
 * {@code pending} holds exactly the tasks neither finished nor in flight.
 */
final class HazelcastGridExecutor implements GridExecutor {
    /** Tasks in flight per thread of a member. */
    static final int DEPTH = 2;

    private final HazelcastInstance hz;
    private final PrintWriter log;
    /** Tasks finished per member address, over every run of this executor; touched only by the calling thread. */
    private final Map<String, Integer> finished = new TreeMap<>();

    HazelcastGridExecutor(HazelcastInstance hz, PrintWriter log) {
        this.hz = hz;
        this.log = log;
    }

    private sealed interface Event {}
    private record Done(int index, Member member, Object result) implements Event {}
    private record Failed(int index, Member member, Throwable failure) implements Event {}
    private record Membership(String what) implements Event {}

    @Override
    @SuppressWarnings("unchecked")
    public <R extends Serializable> void run(List<? extends GridTask<R>> tasks, Consumer<? super R> inOrder, Progress progress) {
        IExecutorService executor = hz.getExecutorService(MemberConfig.EXECUTOR);
        InOrder<R> buffer = new InOrder<>(tasks.size(), inOrder, progress);
        ArrayDeque<Integer> pending = new ArrayDeque<>();
        for (int i = 0; i < tasks.size(); i++) pending.add(i);
        Map<UUID, Integer> running = new HashMap<>();
        BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        UUID listener = hz.getCluster().addMembershipListener(new MembershipListener() {
            @Override public void memberAdded(MembershipEvent e) {
                events.add(new Membership("member " + e.getMember().getAddress() + " joined (" + threads(e.getMember()) + " threads)"));
            }

            @Override public void memberRemoved(MembershipEvent e) {
                events.add(new Membership("member " + e.getMember().getAddress() + " left"));
            }
        });
        boolean waiting = false;
        try {
            while (!buffer.finished()) {
                for (Member m : hz.getCluster().getMembers()) {
                    int slots = DEPTH * threads(m);
                    while (!pending.isEmpty() && running.getOrDefault(m.getUuid(), 0) < slots) {
                        int index = pending.poll();
                        running.merge(m.getUuid(), 1, Integer::sum);
                        executor.submitToMember(tasks.get(index), m, new ExecutionCallback<R>() {
                            @Override public void onResponse(R r) { events.add(new Done(index, m, r)); }

                            @Override public void onFailure(Throwable t) { events.add(new Failed(index, m, t)); }
                        });
                    }
                }
                if (running.values().stream().allMatch(n -> n == 0) && !waiting) {
                    log.println("hotmem: no member of cluster '" + hz.getConfig().getClusterName()
                            + "' runs tasks; waiting for one (./hotmem worker)");
                    log.flush();
                    waiting = true;
                }
                Event e = events.take();
                switch (e) {
                    case Done d -> {
                        running.merge(d.member().getUuid(), -1, Integer::sum);
                        if (buffer.complete(d.index(), (R) d.result())) finished.merge(d.member().getAddress().toString(), 1, Integer::sum);
                        waiting = false;
                    }
                    case Failed f -> {
                        running.merge(f.member().getUuid(), -1, Integer::sum);
                        if (!hz.getLifecycleService().isRunning()) {
                            throw new IllegalStateException("this member has shut down (" + f.failure() + ")", f.failure());
                        }
                        if (!lost(f.failure())) {
                            throw new IllegalStateException("task " + f.index() + " failed on member "
                                    + f.member().getAddress() + ": " + f.failure(), f.failure());
                        }
                        if (!buffer.arrived(f.index())) {
                            pending.addFirst(f.index());
                            log.println("hotmem: member " + f.member().getAddress() + " lost task " + f.index() + "; it runs again elsewhere");
                            log.flush();
                        }
                    }
                    case Membership m -> {
                        log.println("hotmem: " + m.what() + "; cluster of " + hz.getCluster().getMembers().size());
                        log.flush();
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            hz.getCluster().removeMembershipListener(listener);
        }
    }

    /** Whether a task failed because its member went away (then it is re-run), not by itself. */
    private static boolean lost(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof MemberLeftException || c instanceof TargetNotMemberException
                    || c instanceof HazelcastInstanceNotActiveException) return true;
        }
        return false;
    }

    /** How many tasks a member takes at once: its {@value MemberConfig#THREADS} attribute, 0 if it has none. */
    static int threads(Member m) {
        String v = m.getAttribute(MemberConfig.THREADS);
        try {
            return v == null ? 0 : Math.max(0, Integer.parseInt(v));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The members of the cluster now. */
    int members() {
        return hz.getCluster().getMembers().size();
    }

    /** Tasks finished per member address (e.g. "[127.0.0.1]:5702"), over every run of this executor. */
    Map<String, Integer> finished() {
        return Map.copyOf(finished);
    }

    @Override
    public String describe() {
        StringBuilder sb = new StringBuilder("hazelcast cluster '").append(hz.getConfig().getClusterName()).append("' (tasks:");
        finished.forEach((member, n) -> sb.append(' ').append(member).append(' ').append(n));
        return sb.append(')').toString();
    }

    @Override
    public void close() {
        hz.shutdown();
    }
}
