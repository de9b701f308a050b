package org.hotmem.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import org.hotmem.grid.GridBackend;
import org.hotmem.grid.GridExecutor;

import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@code hazelcast} engine: {@code --cluster hazelcast[:CONFIG]} makes this JVM an embedded
 * member (CONFIG: a Hazelcast YAML/XML member configuration; none: peers on 127.0.0.1, see
 * {@link MemberConfig}); {@code hotmem worker} makes it a member that only runs tasks.
 */
public final class HazelcastBackend implements GridBackend {
    /** Hazelcast logs through java.util.logging; hotmem shows its warnings and says the rest itself. */
    private static final Logger HAZELCAST_LOG = Logger.getLogger("com.hazelcast");
    /** Its TCP layer warns of every refused or reset connection to a member that went away; hotmem says "left". */
    private static final Logger CONNECTION_LOG = Logger.getLogger("com.hazelcast.internal.server.tcp");

    @Override
    public String name() {
        return "hazelcast";
    }

    @Override
    public GridExecutor connect(String config, int threads, PrintWriter log) {
        HazelcastInstance hz = start(config, threads);
        log.println("hotmem: member " + hz.getCluster().getLocalMember().getAddress() + " of cluster '"
                + hz.getConfig().getClusterName() + "' (" + hz.getCluster().getMembers().size() + " members)"
                + (threads > 0 ? ", runs tasks on " + threads + " threads" : ", submits only"));
        log.flush();
        return new HazelcastGridExecutor(hz, log);
    }

    @Override
    public void serve(String config, int threads, PrintWriter log) throws InterruptedException {
        HazelcastInstance hz = start(config, threads);
        CountDownLatch down = new CountDownLatch(1);
        hz.getLifecycleService().addLifecycleListener(e -> {
            if (e.getState() == LifecycleEvent.LifecycleState.SHUTDOWN) down.countDown();
        });
        hz.getCluster().addMembershipListener(new MembershipListener() {
            @Override public void memberAdded(MembershipEvent e) { say(log, "member " + e.getMember().getAddress() + " joined", hz); }

            @Override public void memberRemoved(MembershipEvent e) { say(log, "member " + e.getMember().getAddress() + " left", hz); }
        });
        say(log, "worker " + hz.getCluster().getLocalMember().getAddress() + " runs tasks on " + threads
                + " threads until stopped (Ctrl-C)", hz);
        if (!hz.getLifecycleService().isRunning()) return;
        down.await();
    }

    private static void say(PrintWriter log, String what, HazelcastInstance hz) {
        log.println("hotmem: " + what + "; cluster '" + hz.getConfig().getClusterName() + "' of "
                + hz.getCluster().getMembers().size());
        log.flush();
    }

    private static HazelcastInstance start(String config, int threads) {
        HAZELCAST_LOG.setLevel(Level.WARNING);
        CONNECTION_LOG.setLevel(Level.SEVERE);
        try {
            return Hazelcast.newHazelcastInstance(MemberConfig.of(config, threads));
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot start a Hazelcast member: " + e.getMessage(), e);
        }
    }
}
