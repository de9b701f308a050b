package org.hotmem.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.InvalidConfigurationException;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;

import java.io.File;
import java.io.FileNotFoundException;

/**
 * The configuration of a hotmem member. Without a file: cluster {@code hotmem}, bound to 127.0.0.1
 * only, ports 5701-5710, peers found by the TCP-IP member list {@code 127.0.0.1} (every port of that
 * range), multicast and auto-detection off. With a file: that Hazelcast YAML/XML member
 * configuration as written (its cluster name, network and join). Either way hotmem adds what it
 * needs: the executor {@value #EXECUTOR} sized to the member's threads, the member attribute
 * {@value #THREADS} (how many tasks it takes at once; 0 for a member that only submits), phone-home
 * off, and (unless the file sets them) heartbeats that notice a lost member within seconds and
 * split clusters (members started at the same moment) that merge within seconds.
 */
final class MemberConfig {
    /** The executor service the tasks run on. */
    static final String EXECUTOR = "hotmem-grid";
    /** Member attribute: the number of tasks a hotmem member runs at once (absent: not a hotmem member). */
    static final String THREADS = "hotmem.threads";
    static final String CLUSTER = "hotmem";
    static final int FIRST_PORT = 5701;
    static final int PORTS = 10;

    private MemberConfig() {}

    /** The member configuration for {@code file} (null: the loopback default) and {@code threads}. */
    static Config of(String file, int threads) {
        Config config = file == null ? loopback() : load(file);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.logging.type", "jdk");
        setIfAbsent(config, "hazelcast.heartbeat.interval.seconds", "1");
        setIfAbsent(config, "hazelcast.max.no.heartbeat.seconds", "6");
        // members started at the same moment may each form a cluster: merge them after seconds, not minutes
        setIfAbsent(config, "hazelcast.merge.first.run.delay.seconds", "5");
        setIfAbsent(config, "hazelcast.merge.next.run.delay.seconds", "5");
        config.getMemberAttributeConfig().setAttribute(THREADS, Integer.toString(threads));
        config.getExecutorConfig(EXECUTOR).setPoolSize(Math.max(1, threads));
        return config;
    }

    private static Config loopback() {
        Config config = new Config();
        config.setClusterName(CLUSTER);
        config.setProperty("hazelcast.socket.bind.any", "false");
        config.setProperty("hazelcast.tcp.join.port.try.count", Integer.toString(PORTS));
        config.setProperty("hazelcast.wait.seconds.before.join", "1");
        NetworkConfig net = config.getNetworkConfig();
        net.setPort(FIRST_PORT).setPortAutoIncrement(true).setPortCount(PORTS);
        net.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = net.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setConnectionTimeoutSeconds(1).addMember("127.0.0.1");
        return config;
    }

    private static Config load(String file) {
        try {
            return Config.loadFromFile(new File(file));
        } catch (FileNotFoundException e) {
            throw new IllegalArgumentException("cannot read " + file + ": no such file");
        } catch (InvalidConfigurationException | IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": not a Hazelcast member configuration: " + e.getMessage());
        }
    }

    private static void setIfAbsent(Config config, String name, String value) {
        if (config.getProperty(name) == null) config.setProperty(name, value);
    }
}
