package org.hotmem.mm;

/**
 * enum node_states (include/linux/nodemask.h) as x86-64 without HIGHMEM has them, with the
 * names of their /sys/devices/system/node attributes (drivers/base/node.c node_state_attrs).
 */
public enum NodeState {
    /** N_POSSIBLE: the node could become online (named by the SRAT). */
    POSSIBLE("possible"),
    /** N_ONLINE: the node has a pgdat in use. */
    ONLINE("online"),
    /** N_NORMAL_MEMORY: the node has present pages in a zone up to ZONE_NORMAL. */
    NORMAL_MEMORY("has_normal_memory"),
    /** N_MEMORY: the node has present pages. */
    MEMORY("has_memory"),
    /** N_CPU: the node has an online CPU. */
    CPU("has_cpu"),
    /** N_GENERIC_INITIATOR: the node has a generic initiator (never in this machine). */
    GENERIC_INITIATOR("has_generic_initiator");

    private final String attribute;

    NodeState(String attribute) {
        this.attribute = attribute;
    }

    /** The sysfs attribute name. */
    public String attribute() {
        return attribute;
    }
}
