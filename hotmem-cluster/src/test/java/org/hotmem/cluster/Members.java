package org.hotmem.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Worker JVMs on loopback for tests: a Hazelcast YAML configuration of a cluster of its own (a
 * unique name, {@code size} consecutive free ports on 127.0.0.1, TCP-IP member list, multicast
 * off), and {@link ChildWorker} processes started from this JVM's class path with it.
 */
final class Members implements AutoCloseable {
    final Path config;
    final int firstPort;
    private final List<Process> workers = new ArrayList<>();

    Members(Path dir, int size) throws IOException {
        firstPort = freePorts(size);
        StringBuilder members = new StringBuilder();
        for (int i = 0; i < size; i++) members.append("          - 127.0.0.1:").append(firstPort + i).append('\n');
        config = dir.resolve("hazelcast.yaml");
        Files.writeString(config, """
                hazelcast:
                  cluster-name: hotmem-test-%d
                  properties:
                    hazelcast.socket.bind.any: false
                    hazelcast.wait.seconds.before.join: 1
                  network:
                    port:
                      auto-increment: true
                      port-count: %d
                      port: %d
                    interfaces:
                      enabled: true
                      interfaces: [127.0.0.1]
                    join:
                      auto-detection:
                        enabled: false
                      multicast:
                        enabled: false
                      tcp-ip:
                        enabled: true
                        connection-timeout-seconds: 1
                        member-list:
                %s""".formatted(ProcessHandle.current().pid(), size, firstPort, members));
    }

    /** Starts a worker JVM running {@code threads} tasks at once; its output goes to {@code log}. */
    Process start(int threads, Path log) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("-Xmx512m", "-Xss16m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED"));
        cmd.addAll(List.of(System.getProperty("hotmem.hazelcast.jvm.args", "").split(" ")));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ChildWorker.class.getName(),
                "--cluster", "hazelcast:" + config, "--threads", Integer.toString(threads)));
        cmd.removeIf(String::isEmpty);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        workers.add(p);
        return p;
    }

    /** Waits (at most a minute) until the worker writing {@code log} says that it runs tasks. */
    void awaitReady(Path log) throws IOException, InterruptedException {
        for (int i = 0; i < 600; i++) {
            if (Files.exists(log) && Files.readString(log).contains("runs tasks on")) return;
            Thread.sleep(100);
        }
        throw new IOException("worker not ready after a minute: " + Files.readString(log));
    }

    @Override
    public void close() throws InterruptedException {
        for (Process p : workers) p.destroy();
        for (Process p : workers) {
            if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly().waitFor();
        }
    }

    /**
     * The first of {@code n} consecutive ports that are free on 127.0.0.1 now, below the ephemeral
     * range (where outgoing connections could take them), starting from a place picked by the pid.
     */
    private static int freePorts(int n) throws IOException {
        InetAddress lo = InetAddress.getLoopbackAddress();
        int start = 20_000 + (int) (ProcessHandle.current().pid() % 1000) * 10;
        for (int first = start; first < 32_000; first += n) {
            if (free(lo, first, n)) return first;
        }
        throw new IOException("no " + n + " consecutive free ports on 127.0.0.1");
    }

    private static boolean free(InetAddress lo, int first, int n) {
        for (int port = first; port < first + n; port++) {
            try (ServerSocket s = new ServerSocket(port, 1, lo)) {
                s.setReuseAddress(true);
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }
}
