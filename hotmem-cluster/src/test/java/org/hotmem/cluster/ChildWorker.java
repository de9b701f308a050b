package org.hotmem.cluster;

/**
 * {@code hotmem worker} for tests, in a JVM that ends with the JVM that started it (even if that
 * one is killed), so that no worker is ever left behind.
 */
public final class ChildWorker {
    private ChildWorker() {}

    public static void main(String[] args) {
        ProcessHandle.current().parent().ifPresent(p -> p.onExit().thenRun(() -> Runtime.getRuntime().halt(3)));
        String[] cli = new String[args.length + 1];
        cli[0] = "worker";
        System.arraycopy(args, 0, cli, 1, args.length);
        org.hotmem.cli.Main.main(cli);
    }
}
