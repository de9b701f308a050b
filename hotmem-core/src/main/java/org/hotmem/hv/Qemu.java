package org.hotmem.hv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hotmem.mm.Srat;

/**
 * One QEMU 7.2 process running a {@code pc} machine: its memory layout, the QOM objects
 * (memory backends) and devices (pc-dimm, virtio-mem-pci, virtio-balloon-pci) and its QMP
 * monitor. Command handlers run on the host side: they change device state, raise guest
 * notifications (GPE, virtio config interrupts) that arrive after a small latency, and emit
 * QMP events into {@link #events()}.
 *
 * <p>Invariants: device ids are unique (the /machine/peripheral container); object ids are
 * unique (the /objects container); a backend maps at most one device; every DIMM owns one
 * ACPI slot and one non-overlapping range of device memory. Not thread-safe: the machine's
 * scheduler runs host handlers and guest tasks one at a time.
 */
public final class Qemu {
    /** The guest kernel boots in about this much time before QMP becomes useful. */
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final MemoryOptions memory;
    /** The board's layout and device memory, set once by {@link #initBoard} (after -object and -numa). */
    private PcMachineLayout layout;
    private NumaConfig numa;
    private final HostTimers timers;
    private final QmpEventQueue events;
    private DeviceMemory deviceMemory;
    private final AcpiMemoryHotplug acpiMemoryHotplug;
    /** The board ({@code -machine}). */
    private final MachineType machineType;
    /** pseries: the LMB DR connectors (null on pc). */
    private final SpaprMemoryHotplug spaprMemoryHotplug;
    /** /objects: memory backends by id, in creation order. */
    private final Map<String, MemoryBackend> objects = new LinkedHashMap<>();
    /** /machine/peripheral: devices by id, in creation order. */
    private final Map<String, Object> devices = new LinkedHashMap<>();
    private final List<VirtioMem> virtioMems = new ArrayList<>();
    private VirtioBalloon balloon;
    private final Migration migration = new Migration();
    /** -drive disks, in command-line order. */
    private final List<Drive> drives = new ArrayList<>();
    private int nextVirtioIndex;
    /** False while the command line's devices are being cold-plugged. */
    private boolean machineDone;

    private Qemu(MachineType machineType, MemoryOptions memory, HostTimers timers, long epochBaseSeconds) {
        this.machineType = machineType;
        this.memory = memory;
        this.timers = timers;
        this.events = new QmpEventQueue(timers, epochBaseSeconds);
        this.acpiMemoryHotplug = new AcpiMemoryHotplug(machineType == MachineType.PC ? memory.slots() : 0, timers, events,
                this::dimmEjected);
        this.spaprMemoryHotplug = machineType == MachineType.PSERIES
                ? new SpaprMemoryHotplug(timers, events, this::dimmEjected) : null;
    }

    /**
     * Starts QEMU with {@code -m memoryOption} and the extra arguments (only {@code -object
     * memory-backend-ram,...}, {@code -numa ...} and {@code -device
     * pc-dimm|virtio-mem-pci|virtio-balloon-pci,...} are modelled). Arguments may be given as
     * separate tokens or as whole lines. As in QEMU's qemu_init(), the backends are created
     * first, then the -numa options are parsed, the board is built, and the devices are added.
     *
     * @throws QemuConfigException with QEMU's message where QEMU would refuse to start
     */
    public static Qemu start(String memoryOption, List<String> args, HostTimers timers, long epochBaseSeconds) {
        return start(MachineType.PC, memoryOption, args, timers, epochBaseSeconds);
    }

    /**
     * As {@link #start(String, List, HostTimers, long)} for board {@code type}. On pseries the boot
     * RAM and DIMMs are whole LMBs. // model: pseries' 512 MiB default RAM is not applied to a bare -m.
     */
    public static Qemu start(MachineType type, String memoryOption, List<String> args, HostTimers timers, long epochBaseSeconds) {
        MemoryOptions mo = MemoryOptions.parse(memoryOption);
        if (type == MachineType.PSERIES && mo.ramSize() % SpaprMemoryHotplug.LMB_SIZE != 0) {
            // spapr_machine_init(): the boot RAM is a whole number of LMBs
            throw new QemuConfigException("qemu-system-ppc64: Memory size 0x" + Long.toHexString(mo.ramSize())
                    + " is not aligned to 256 MiB");
        }
        Qemu q = new Qemu(type, mo, timers, epochBaseSeconds);
        // one text, so that a quoted word a caller split at blanks (a scenario's qemu: line) is whole again
        List<String> tokens = splitArgs(String.join(" ", args));
        List<String> deviceOpts = new ArrayList<>();
        List<String> numaOpts = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            String opt = tokens.get(i);
            if (!opt.equals("-object") && !opt.equals("-device") && !opt.equals("-numa") && !opt.equals("-drive")) {
                throw new QemuConfigException(opt + ": option not modelled (hotmem models -m, -object memory-backend-ram,"
                        + " -numa, -drive if=virtio and -device pc-dimm|virtio-mem-pci|virtio-balloon-pci)");
            }
            if (i + 1 >= tokens.size()) {
                throw new QemuConfigException(opt + ": requires an argument");
            }
            String value = tokens.get(++i);
            switch (opt) {
                case "-object" -> q.objectFromCommandLine(value);
                case "-numa" -> numaOpts.add(value);
                case "-drive" -> q.drives.add(Drive.parse(value));
                default -> deviceOpts.add(value);
            }
        }
        q.initBoard(NumaConfig.parse(numaOpts, q::resolveBackendPath, q.memory));
        for (String d : deviceOpts) {
            q.deviceFromCommandLine(d);
        }
        q.machineDone = true;
        return q;
    }

    /** machine_run_board_init(): the NUMA configuration is complete, then pc_init1() lays out memory. */
    private void initBoard(NumaConfig numaConfig) {
        this.numa = numaConfig;
        if (machineType == MachineType.PSERIES) {
            // spapr_machine_init(): RAM from 0, device memory from ROUND_UP(ram_size, SPAPR_DEVICE_MEM_ALIGN = 1 GiB)
            this.deviceMemory = memory.maxRamSize() > memory.ramSize()
                    ? new DeviceMemory(Align.up(memory.ramSize(), 1L << 30), memory.maxRamSize() - memory.ramSize(),
                            memory.maxRamSize() - memory.ramSize())
                    : null;
            return;
        }
        this.layout = PcMachineLayout.of(memory, drives.size());
        this.deviceMemory = layout.hasDeviceMemory()
                ? new DeviceMemory(layout.deviceMemoryBase(), layout.deviceMemorySize(),
                        memory.maxRamSize() - memory.ramSize())
                : null;
    }

    // ---- accessors ----

    public MemoryOptions memory() {
        return memory;
    }

    public PcMachineLayout layout() {
        if (layout == null) {
            throw new IllegalStateException("the " + machineType.qemuName() + " machine has no pc layout");
        }
        return layout;
    }

    /** The NUMA nodes of the machine (none without -numa and without memory hotplug). */
    public NumaConfig numa() {
        return numa;
    }

    /** The SRAT the firmware hands to the guest. */
    public Srat srat() {
        return layout == null ? Srat.NONE : layout.srat(numa);
    }

    public QmpEventQueue events() {
        return events;
    }

    /** The device-memory region, or null without maxmem. */
    public DeviceMemory deviceMemory() {
        return deviceMemory;
    }

    /** The board. */
    public MachineType machineType() {
        return machineType;
    }

    /**
     * The guest's boot memory as firmware describes it: the e820 table on pc, the device tree's
     * memory@0 node (one range of the boot RAM) on pseries.
     */
    public List<org.hotmem.mm.E820Entry> bootMemoryMap() {
        if (machineType == MachineType.PSERIES) {
            return List.of(new org.hotmem.mm.E820Entry(0, memory.ramSize(), org.hotmem.mm.E820Type.USABLE));
        }
        return layout.e820();
    }

    /** pseries: the LMB DR connectors; null on pc. */
    public SpaprMemoryHotplug spaprMemoryHotplug() {
        return spaprMemoryHotplug;
    }

    public AcpiMemoryHotplug acpiMemoryHotplug() {
        return acpiMemoryHotplug;
    }

    /** virtio-mem devices in PCI (command-line) order. */
    public List<VirtioMem> virtioMems() {
        return List.copyOf(virtioMems);
    }

    /** The -drive disks (virtio-blk), in command-line order. */
    public List<Drive> drives() {
        return List.copyOf(drives);
    }

    /** The balloon device, or null. */
    public VirtioBalloon balloon() {
        return balloon;
    }

    /**
     * The machine that hibernated resumes on a new QEMU process started with its command line
     * (restart after power-off). // model: the QEMU objects are kept; of the per-process device
     * state only the balloon's config is realized again (a cold-plugged DIMM keeps its
     * hotplugged flag, and devices the new command line adds or drops are not picked up).
     */
    public void startedAgain() {
        if (balloon != null) {
            balloon.realizedAgain();
        }
    }

    public MemoryBackend object(String id) {
        return objects.get(id);
    }

    /** Models get_current_ram_size() of QEMU 7.2: boot RAM plus the size of every pc-dimm. */
    public long currentRamSize() {
        long size = memory.ramSize();
        if (deviceMemory != null) {
            for (MemoryDevice md : deviceMemory.devices()) {
                if (md instanceof PcDimm) {
                    size += md.regionSize();
                }
            }
        }
        return size;
    }

    /** Models get_plugged_memory_size(): what every memory device has plugged. */
    public long pluggedMemorySize() {
        long size = 0;
        if (deviceMemory != null) {
            for (MemoryDevice md : deviceMemory.devices()) {
                size += md.pluggedSize();
            }
        }
        return size;
    }

    // ---- command line ----

    /**
     * Splits QEMU arguments written as a shell would (as the recorder's {@code qemu:} lines are
     * read): blanks separate words, '...' is literal, "..." allows \" and \\, a backslash quotes
     * the next character. So a JSON -device value can be written '{"driver": "pc-dimm", ...}'.
     */
    static List<String> splitArgs(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\'' || c == '"') {
                int end = i + 1;
                while (end < text.length() && text.charAt(end) != c) {
                    if (c == '"' && text.charAt(end) == '\\' && end + 1 < text.length()
                            && (text.charAt(end + 1) == '"' || text.charAt(end + 1) == '\\')) {
                        end++;
                    }
                    w.append(text.charAt(end++));
                }
                if (end >= text.length()) {
                    throw new QemuConfigException("unterminated " + c + " in the QEMU arguments: " + text);
                }
                i = end;
                inWord = true;
            } else if (c == '\\' && i + 1 < text.length()) {
                w.append(text.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    out.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
            } else {
                w.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            out.add(w.toString());
        }
        return out;
    }

    private void objectFromCommandLine(String value) {
        QemuOpts opts = QemuOpts.parse("-object", value, "qom-type");
        try {
            Map<String, JsonNode> props = new LinkedHashMap<>();
            opts.asMap().forEach((k, v) -> props.put(k, TextNode.valueOf(v)));
            objectAdd(props, true);
        } catch (QmpException e) {
            throw new QemuConfigException("-object " + value + ": " + e.desc());
        }
    }

    /**
     * -device in its two forms (QEMU 7.2 vl.c): a value starting with '{' is one JSON object,
     * typed as device_add's arguments (qdev_device_add_from_qdict(from_json=true)); anything else is
     * QemuOpts keyval text, every value a string.
     */
    private void deviceFromCommandLine(String value) {
        try {
            if (value.startsWith("{")) {
                Map<String, JsonNode> props = new LinkedHashMap<>();
                jsonOption(value).fields().forEachRemaining(e -> props.put(e.getKey(), e.getValue()));
                deviceAdd(props, false);
                return;
            }
            QemuOpts opts = QemuOpts.parse("-device", value, "driver");
            Map<String, JsonNode> props = new LinkedHashMap<>();
            opts.asMap().forEach((k, v) -> props.put(k, TextNode.valueOf(v)));
            deviceAdd(props, true);
        } catch (QmpException e) {
            throw new QemuConfigException("-device " + value + ": " + e.desc());
        }
    }

    /**
     * Models qobject_from_json() of an option's JSON value: exactly one JSON value, else its parse
     * error or "Expecting at most one JSON value"; a value that is not an object has no driver.
     */
    private static ObjectNode jsonOption(String text) {
        List<QmpJson.Item> items = QmpJson.parse(text);
        if (items.isEmpty()) {
            throw QmpException.generic("JSON parse error, premature EOI");
        }
        if (items.size() > 1) {
            throw QmpException.generic("Expecting at most one JSON value");
        }
        QmpJson.Item it = items.get(0);
        if (it.error() != null) {
            throw QmpException.generic(it.error());
        }
        if (!(it.value() instanceof ObjectNode o)) {
            throw QmpException.generic("Parameter 'driver' is missing");
        }
        return o;
    }

    // ---- QMP ----

    /** The {@code package} of the QEMU recorded (Debian 12's qemu-system-x86). */
    public static final String PACKAGE = "Debian 1:7.2+dfsg-7+deb12u18+b3";

    /**
     * QEMU's version block, as query-version returns it and the QMP greeting carries it:
     * {@code {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": "..."}}.
     */
    public static ObjectNode versionInfo() {
        ObjectNode v = JSON.objectNode();
        v.putObject("qemu").put("micro", 22).put("minor", 2).put("major", 7);
        v.put("package", PACKAGE);
        return v;
    }

    /**
     * Executes one QMP command and returns QEMU's reply: {@code {"return": ...}} or
     * {@code {"error": {"class": ..., "desc": ...}}}.
     */
    public ObjectNode qmp(String execute, ObjectNode arguments) {
        ObjectNode reply = JSON.objectNode();
        try {
            reply.set("return", dispatch(execute, new QmpArgs(arguments)));
        } catch (QmpException e) {
            ObjectNode err = reply.putObject("error");
            err.put("class", e.errorClass());
            err.put("desc", e.desc());
        }
        return reply;
    }

    /** QMPCapability (qapi/control.json). */
    private static final List<String> QMP_CAPABILITIES = List.of("oob");

    /**
     * Runs one command with its arguments visited as its QAPI schema says (member order, types,
     * unexpected members). The monitor has negotiated capabilities already (the recording
     * harness does that first), so {@code qmp_capabilities} is refused after its arguments
     * are checked, as monitor/qmp-cmds-control.c does.
     */
    private JsonNode dispatch(String execute, QmpArgs a) {
        switch (execute) {
            case "qmp_capabilities":
                a.enumList("enable", false, QMP_CAPABILITIES);
                a.check();
                throw new QmpException(QmpException.COMMAND_NOT_FOUND,
                        "Capabilities negotiation is already complete, command ignored");
            case "object-add": {
                Map<String, JsonNode> props = new LinkedHashMap<>();
                a.raw().fields().forEachRemaining(e -> props.put(e.getKey(), e.getValue()));
                objectAdd(props, false);
                return JSON.objectNode();
            }
            case "object-del": {
                String id = a.str("id", true);
                a.check();
                objectDel(id);
                return JSON.objectNode();
            }
            case "device_add": {
                // 'gen': false -- driver, bus and id are checked here, the rest are device properties
                Map<String, JsonNode> props = new LinkedHashMap<>();
                a.raw().fields().forEachRemaining(e -> props.put(e.getKey(), e.getValue()));
                deviceAdd(props, false);
                return JSON.objectNode();
            }
            case "device_del": {
                String id = a.str("id", true);
                a.check();
                deviceDel(id);
                return JSON.objectNode();
            }
            case "query-memory-devices": {
                a.check();
                ArrayNode arr = JSON.arrayNode();
                if (deviceMemory != null) {
                    for (MemoryDevice md : deviceMemory.devices()) {
                        arr.add(md.info());
                    }
                }
                return arr;
            }
            case "query-memory-size-summary": {
                a.check();
                ObjectNode o = JSON.objectNode();
                o.put("base-memory", memory.ramSize());
                o.put("plugged-memory", pluggedMemorySize());
                return o;
            }
            case "query-acpi-ospm-status":
                a.check();
                return acpiMemoryHotplug.ospmStatus();
            case "qom-set": {
                String path = a.str("path", true);
                String property = a.str("property", true);
                JsonNode value = a.any("value", true);
                a.check();
                qomSet(path, property, value);
                return JSON.objectNode();
            }
            case "qom-get": {
                String path = a.str("path", true);
                String property = a.str("property", true);
                a.check();
                return qomGet(path, property);
            }
            case "balloon": {
                long value = a.int64("value", true);
                a.check();
                requireBalloon();
                if (value <= 0) {
                    throw QmpException.generic("Parameter 'target' expects a size");
                }
                balloon.toTarget(value);
                return JSON.objectNode();
            }
            case "migrate-set-parameters": {
                Long bw = a.size("max-bandwidth", false);
                a.check();
                if (bw != null) {
                    migration.setMaxBandwidth(bw);
                }
                return JSON.objectNode();
            }
            case "migrate": {
                String uri = a.str("uri", true);
                a.bool("blk", false);
                a.bool("inc", false);
                a.bool("detach", false);
                a.bool("resume", false);
                a.check();
                migration.start(uri);
                return JSON.objectNode();
            }
            case "migrate_cancel":
                a.check();
                migration.cancel();
                return JSON.objectNode();
            case "query-version":
                a.check();
                return versionInfo();
            case "query-balloon":
                a.check();
                requireBalloon();
                return balloon.stat();
            default:
                throw new QmpException(QmpException.COMMAND_NOT_FOUND, "The command " + execute + " has not been found");
        }
    }

    private void requireBalloon() {
        if (balloon == null) {
            throw new QmpException(QmpException.DEVICE_NOT_ACTIVE, "No balloon device has been activated");
        }
    }

    // ---- objects ----

    /** ObjectType values QEMU 7.2 knows that the model does not build. */
    private static final List<String> UNMODELLED_OBJECT_TYPES = List.of("memory-backend-file", "memory-backend-memfd",
            "memory-backend-epc", "iothread", "thread-context", "rng-random", "rng-builtin", "rng-egd", "secret",
            "throttle-group", "main-loop", "cryptodev-backend", "filter-buffer", "colo-compare", "tls-creds-x509");
    /** HostMemPolicy. */
    private static final List<String> HOST_MEM_POLICIES = List.of("default", "preferred", "bind", "interleave");

    /**
     * object-add / -object: models user_creatable_add_qapi() for memory-backend-ram, visiting
     * ObjectOptions (qom-type, id) and MemoryBackendProperties in schema order.
     */
    private void objectAdd(Map<String, JsonNode> props, boolean commandLine) {
        Props p = new Props(props, commandLine, null);
        String type = p.string("qom-type", true);
        if (UNMODELLED_OBJECT_TYPES.contains(type)) {
            throw QmpException.generic("model: qom-type '" + type + "' is not modelled (only memory-backend-ram is)");
        }
        if (!type.equals("memory-backend-ram")) {
            throw QmpException.generic("Parameter 'qom-type' does not accept value '" + type + "'");
        }
        String id = p.string("id", true);
        p.bool("dump");
        p.uint16List("host-nodes");
        p.bool("merge");
        p.enumValue("policy", HOST_MEM_POLICIES);
        p.bool("prealloc");
        p.uint32("prealloc-threads");
        p.string("prealloc-context", false);
        p.bool("share");
        p.bool("reserve");
        long size = p.size("size", true);
        p.bool("x-use-canonical-path-for-ramblock-id");
        p.checkUnexpected(false);
        if (!idWellFormed(id)) {
            throw QmpException.generic("Parameter 'id' expects an identifier");
        }
        if (size == 0) {
            throw QmpException.generic("property 'size' of memory-backend-ram doesn't take value '0'");
        }
        if (Long.compareUnsigned(size, -HOST_PAGE_SIZE) > 0) {
            // model: QEMU 7.2 aborts here (find_ram_offset: Assertion `size != 0' failed: the size
            // rounded up to the host page wraps to 0); hotmem answers as QEMU does for any backend
            // the host cannot map
            throw QmpException.generic("cannot set up guest memory '" + id + "': Cannot allocate memory");
        }
        if (objects.containsKey(id)) {
            throw QmpException.generic("attempt to add duplicate property '" + id + "' to object (type 'container')");
        }
        objects.put(id, new MemoryBackend(id, size));
    }

    /** object-del: models user_creatable_del(). */
    private void objectDel(String id) {
        MemoryBackend b = objects.get(id);
        if (b == null) {
            throw QmpException.generic("object '" + id + "' not found");
        }
        if (b.isMapped()) {
            throw QmpException.generic("object '" + id + "' is in use, can not be deleted");
        }
        objects.remove(id);
    }

    /** qemu_real_host_page_size() of an x86-64 host. */
    static final long HOST_PAGE_SIZE = 4096;

    /** id_wellformed(): a letter, then letters, digits, '-', '.', '_'. */
    static boolean idWellFormed(String id) {
        if (id.isEmpty() || !Character.isLetter(id.charAt(0)) || id.charAt(0) > 127) {
            return false;
        }
        for (int i = 1; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!(c < 128 && (Character.isLetterOrDigit(c) || c == '-' || c == '.' || c == '_'))) {
                return false;
            }
        }
        return true;
    }

    // ---- devices ----

    /** device_add / -device: models qdev_device_add_from_qdict() for the modelled drivers. */
    private void deviceAdd(Map<String, JsonNode> props, boolean commandLine) {
        Props p = new Props(props, commandLine, null);
        if (props.get("driver") instanceof JsonNode d && !d.isTextual()) { // qdict_get_try_str(): not a string, not there
            throw QmpException.generic("Parameter 'driver' is missing");
        }
        String driver = p.string("driver", true);
        p.string("bus", false);
        switch (driver) {
            case "pc-dimm", "virtio-mem-pci", "virtio-balloon-pci" -> {
            }
            default -> throw QmpException.generic("'" + driver + "' is not a valid device model name");
        }
        if (machineDone && !driver.equals("pc-dimm")) {
            throw QmpException.generic("model: hot-plugging " + driver
                    + " is not modelled; cold-plug it with -device on the command line");
        }
        // qdict_get_try_str(): an id that is not a JSON string counts as no id (QEMU 7.2 names the device itself)
        String id = props.get("id") instanceof JsonNode n && n.isTextual() ? n.asText() : null;
        if (id != null && !idWellFormed(id)) {
            throw QmpException.generic("Invalid parameter 'id'");
        }
        if (id != null && devices.containsKey(id)) {
            throw QmpException.generic("Duplicate device ID '" + id + "'");
        }
        Props dp = new Props(props, commandLine, driver);
        dp.consume("driver");
        dp.consume("bus");
        dp.consume("id");
        switch (driver) {
            case "pc-dimm" -> addDimm(id, dp);
            case "virtio-mem-pci" -> addVirtioMem(id, dp);
            default -> addBalloon(id, dp);
        }
    }

    private void addDimm(String id, Props p) {
        JsonNode memdevNode = p.raw("memdev");
        Long slotHint = p.int32("slot");
        Long addrHint = p.uint64("addr");
        Long node = p.qdevUint32("node");
        p.checkUnexpected(true);
        MemoryBackend memdev = memdevNode == null ? null : resolveBackendLink("memdev", memdevNode);
        if (spaprMemoryHotplug != null && memdev != null) {
            SpaprMemoryHotplug.prePlug(memdev); // spapr_memory_pre_plug() runs before pc_dimm_pre_plug()
        }
        // pc_dimm_pre_plug(): slot first
        int slots = memory.slots();
        int slot;
        if (slotHint != null && slotHint != -1 && (slotHint < 0 || slotHint >= slots)) {
            throw QmpException.generic("invalid slot number " + slotHint + ", valid range is [0-" + (slots - 1) + "]");
        }
        if (slots <= 0) {
            throw QmpException.generic("no slots where allocated, please specify the 'slots' option");
        }
        if (slotHint != null && slotHint != -1) {
            slot = (int) (long) slotHint;
            if (dimmInSlot(slot) != null) {
                throw QmpException.generic("slot " + slot + " is busy");
            }
        } else {
            slot = -1;
            for (int s = 0; s < slots; s++) {
                if (dimmInSlot(s) == null) {
                    slot = s;
                    break;
                }
            }
            if (slot < 0) {
                throw QmpException.generic("no free slots available");
            }
        }
        // memory_device_pre_plug()
        long addr = preplugMemoryDevice(memdev, "'memdev' property must be set", addrHint, VirtioMem.DEFAULT_BLOCK_SIZE);
        // pc_dimm_realize()
        long nodeId = node == null ? 0 : node;
        if (nodeId != 0 && nodeId >= Math.max(1, numa.nodeCount())) {
            throw QmpException.generic("'DIMM property node has value " + nodeId
                    + "' which exceeds the number of numa nodes: " + Math.max(1, numa.nodeCount()));
        }
        if (memdev.isMapped()) {
            throw QmpException.generic("can't use already busy memdev: " + memdev.id());
        }
        PcDimm dimm = new PcDimm(id, memdev, addr, slot, (int) nodeId, machineDone);
        memdev.setMapped(true);
        deviceMemory.plug(dimm);
        if (id != null) {
            devices.put(id, dimm);
        }
        if (spaprMemoryHotplug != null) {
            spaprMemoryHotplug.plug(dimm);
        } else {
            acpiMemoryHotplug.plug(dimm);
        }
    }

    /** The DIMM in memory slot {@code s}: the ACPI controller's slot on pc, the device memory's DIMMs on pseries. */
    private PcDimm dimmInSlot(int s) {
        if (spaprMemoryHotplug == null) {
            return acpiMemoryHotplug.dimm(s);
        }
        for (MemoryDevice d : deviceMemory.devices()) {
            if (d instanceof PcDimm p && p.slot() == s) {
                return p;
            }
        }
        return null;
    }

    /** Models memory_device_pre_plug(): checks the region fits and picks the address. */
    private long preplugMemoryDevice(MemoryBackend memdev, String noMemdevText, Long addrHint, long align) {
        if (deviceMemory == null) {
            throw QmpException.generic("the configuration is not prepared for memory devices (e.g., for memory"
                    + " hotplug), consider specifying the maxmem option");
        }
        if (memdev == null) {
            throw QmpException.generic(noMemdevText);
        }
        deviceMemory.checkAddable(memdev.size());
        return deviceMemory.freeAddr(addrHint == null || addrHint == 0 ? null : addrHint, align, memdev.size());
    }

    private void addVirtioMem(String id, Props p) {
        JsonNode memdevNode = p.raw("memdev");
        Long requested = p.size("requested-size", false);
        Long blockSize = p.size("block-size", false);
        Long node = p.qdevUint32("node");
        Long memaddr = p.uint64("memaddr");
        p.bool("prealloc");
        p.enumValue("unplugged-inaccessible", List.of("on", "off", "auto"));
        p.checkUnexpected(true);
        MemoryBackend memdev = memdevNode == null ? null : resolveBackendLink("memdev", memdevNode);
        long bs = blockSize == null ? VirtioMem.DEFAULT_BLOCK_SIZE : blockSize;
        if (Long.bitCount(bs) != 1 || bs < VirtioMem.DEFAULT_BLOCK_SIZE) {
            throw QmpException.generic(String.format("'block-size' property has to be at least 0x%x",
                    VirtioMem.DEFAULT_BLOCK_SIZE));
        }
        long addr = preplugMemoryDevice(memdev, "'memdev' property must be set", memaddr,
                Math.max(bs, VirtioMem.DEFAULT_BLOCK_SIZE));
        long req = requested == null ? 0 : requested;
        long nodeId = node == null ? 0 : node;
        if (memdev.isMapped()) {
            throw QmpException.generic("'memdev' property specifies a busy memdev: " + memdev.id());
        }
        if (nodeId != 0 && nodeId >= Math.max(1, numa.nodeCount())) {
            throw QmpException.generic("Property 'node' has value '" + nodeId + "', which exceeds the number of numa nodes: "
                    + Math.max(1, numa.nodeCount()));
        }
        if (req % bs != 0) {
            throw QmpException.generic(String.format("'requested-size' property has to be multiples of 'block-size' (0x%x)", bs));
        }
        if (memdev.size() % bs != 0) {
            throw QmpException.generic(String.format("'memdev' property memdev size has to be multiples of 'block-size' (0x%x)", bs));
        }
        if (Long.compareUnsigned(req, memdev.size()) > 0) {
            throw QmpException.generic(String.format("'requested-size' cannot exceed the memory backend size (0x%x)",
                    memdev.size()));
        }
        VirtioMem vm = new VirtioMem(id, memdev, addr, bs, (int) nodeId, req, nextVirtioIndex++, timers, events, migration);
        memdev.setMapped(true);
        deviceMemory.plug(vm);
        virtioMems.add(vm);
        if (id != null) {
            devices.put(id, vm);
        }
    }

    private void addBalloon(String id, Props p) {
        boolean deflateOnOom = Boolean.TRUE.equals(p.bool("deflate-on-oom"));
        p.bool("free-page-reporting");
        p.bool("free-page-hint");
        p.int64("guest-stats-polling-interval");
        p.checkUnexpected(true);
        if (balloon != null) {
            throw QmpException.generic("Only one balloon device is supported");
        }
        balloon = new VirtioBalloon(id, nextVirtioIndex++, this::currentRamSize, timers, events, deflateOnOom);
        if (id != null) {
            devices.put(id, balloon);
        }
    }

    /** Models object_resolve_path_type(path, TYPE_MEMORY_BACKEND): a full /objects/ path or an id; null if none. */
    private MemoryBackend resolveBackendPath(String path) {
        return objects.get(path.startsWith("/objects/") ? path.substring("/objects/".length()) : path);
    }

    /** Models object_resolve_link() for a link&lt;memory-backend&gt; property. */
    private MemoryBackend resolveBackendLink(String prop, JsonNode value) {
        if (!value.isTextual()) {
            throw QmpException.generic("Invalid parameter type for '" + prop + "', expected: string");
        }
        String path = value.asText();
        String name = path.startsWith("/objects/") ? path.substring("/objects/".length()) : path;
        MemoryBackend b = objects.get(name);
        if (b != null) {
            return b;
        }
        if (devices.containsKey(name)) {
            throw QmpException.generic("Invalid parameter type for '" + prop + "', expected: memory-backend");
        }
        throw new QmpException(QmpException.DEVICE_NOT_FOUND, "Device '" + path + "' not found");
    }

    /** device_del: models qmp_device_del() -> qdev_unplug() -> the hotplug handler's unplug request. */
    private void deviceDel(String id) {
        Object dev = devices.get(id);
        if (dev == null) {
            throw new QmpException(QmpException.DEVICE_NOT_FOUND, "Device '" + id + "' not found");
        }
        if (dev instanceof PcDimm dimm) {
            if (spaprMemoryHotplug != null) {
                spaprMemoryHotplug.unplugRequest(dimm);
            } else {
                acpiMemoryHotplug.unplugRequest(dimm);
            }
            return;
        }
        if (dev instanceof VirtioMem) {
            // QEMU 7.2's virtio_md_pci_unplug_request() refuses every virtio-mem-pci (recorded).
            throw QmpException.generic("virtio based memory devices cannot be unplugged.");
        }
        throw QmpException.generic("model: unplugging PCI device '" + id + "' is not modelled");
    }

    /**
     * The guest asked the ACPI PM1a control register for a sleep state (acpi_pm1_cnt_write() with
     * SLP_EN): S4 raises SUSPEND_DISK and a shutdown request, S5 (soft power off) the shutdown
     * request alone. A shutdown request ends QEMU with SHUTDOWN {"guest": true, "reason":
     * "guest-shutdown"}. // model: S3 (QEMU's SUSPEND, the machine staying) is not modelled.
     */
    public void acpiSleep(int state) {
        switch (state) {
            case 4 -> {
                events.emit("SUSPEND_DISK", null);
                guestShutdown("guest-shutdown");
            }
            case 5 -> guestShutdown("guest-shutdown");
            default -> throw new IllegalArgumentException("ACPI S" + state);
        }
    }

    /** The guest reset the machine; with -no-reboot (the recorded command line) QEMU exits instead. */
    public void guestReset() {
        guestShutdown("guest-reset");
    }

    private void guestShutdown(String reason) {
        events.emit("SHUTDOWN", JSON.objectNode().put("guest", true).put("reason", reason));
    }

    /** Called by the ACPI controller when the guest ejected a DIMM (_EJ0). */
    private void dimmEjected(PcDimm dimm) {
        deviceMemory.unplug(dimm);
        dimm.memdev().setMapped(false);
        if (dimm.id() != null) {
            devices.remove(dimm.id());
        }
        ObjectNode data = JSON.objectNode();
        if (dimm.id() != null) {
            data.put("device", dimm.id());
        }
        data.put("path", dimm.qomPath());
        events.emit("DEVICE_DELETED", data);
    }

    // ---- QOM properties ----

    /** Models object_resolve_path() for the paths this machine has. */
    private Object resolvePath(String path) {
        if (path.startsWith("/machine/peripheral/")) {
            return devices.get(path.substring("/machine/peripheral/".length()));
        }
        if (path.startsWith("/objects/")) {
            return objects.get(path.substring("/objects/".length()));
        }
        if (path.startsWith("/")) {
            return null;
        }
        Object dev = devices.get(path);
        Object obj = objects.get(path);
        if (dev != null && obj != null) {
            return null; // ambiguous partial path
        }
        return dev != null ? dev : obj;
    }

    private static String typeName(Object o) {
        if (o instanceof PcDimm) {
            return "pc-dimm";
        }
        if (o instanceof VirtioMem) {
            return "virtio-mem-pci";
        }
        if (o instanceof VirtioBalloon) {
            return "virtio-balloon-pci";
        }
        return "memory-backend-ram";
    }

    private void qomSet(String path, String property, JsonNode value) {
        Object o = resolvePath(path);
        if (o == null) {
            throw new QmpException(QmpException.DEVICE_NOT_FOUND, "Device '" + path + "' not found");
        }
        if (o instanceof VirtioMem vm && property.equals("requested-size")) {
            vm.setRequestedSize(QmpArgs.uint64Value("requested-size", value));
            return;
        }
        if (o instanceof VirtioMem && property.equals("size")) {
            // a read-only property of the virtio-mem child the proxy aliases (recorded)
            throw QmpException.generic("Property 'virtio-mem.size' is not writable");
        }
        if (qomGetOrNull(o, property) != null) {
            throw QmpException.generic("Attempt to set property '" + property + "' on device '"
                    + path + "' (type '" + typeName(o) + "') after it was realized");
        }
        throw QmpException.generic("Property '" + typeName(o) + "." + property + "' not found");
    }

    private JsonNode qomGet(String path, String property) {
        Object o = resolvePath(path);
        if (o == null) {
            throw new QmpException(QmpException.DEVICE_NOT_FOUND, "Device '" + path + "' not found");
        }
        JsonNode v = qomGetOrNull(o, property);
        if (v == null) {
            throw QmpException.generic("Property '" + typeName(o) + "." + property + "' not found");
        }
        return v;
    }

    private JsonNode qomGetOrNull(Object o, String property) {
        if (o instanceof VirtioMem vm) {
            return switch (property) {
                case "requested-size" -> JSON.numberNode(vm.requestedSize());
                case "size" -> JSON.numberNode(vm.pluggedSize());
                case "block-size" -> JSON.numberNode(vm.blockSize());
                case "memaddr" -> JSON.numberNode(vm.addr());
                case "node" -> JSON.numberNode(vm.node());
                case "memdev" -> JSON.textNode(vm.memdev().qomPath());
                default -> null;
            };
        }
        if (o instanceof PcDimm d) {
            return switch (property) {
                case "addr" -> JSON.numberNode(d.addr());
                case "size" -> JSON.numberNode(d.regionSize());
                case "slot" -> JSON.numberNode(d.slot());
                case "node" -> JSON.numberNode(d.node());
                case "memdev" -> JSON.textNode(d.memdev().qomPath());
                default -> null;
            };
        }
        if (o instanceof MemoryBackend b) {
            return property.equals("size") ? JSON.numberNode(b.size()) : null;
        }
        return null;
    }

    /**
     * Property values of a device_add/-device/object-add request, read with the visitor QEMU
     * uses for them. From QMP the values are typed JSON and go through {@link QmpArgs}' rules;
     * from the command line every value is a string read by the keyval visitor
     * (qobject_input_type_*_keyval): sizes by qemu_strtosz ({@code Parameter 'x' expects size}),
     * integers by qemu_strto[iu]64 ({@code expects integer}), booleans as on/off
     * ({@code expects 'on' or 'off'}).
     */
    private static final class Props {
        private final Map<String, JsonNode> props;
        private final boolean commandLine;
        private final String typeName;
        private final java.util.Set<String> consumed = new java.util.HashSet<>();

        Props(Map<String, JsonNode> props, boolean commandLine, String typeName) {
            this.props = props;
            this.commandLine = commandLine;
            this.typeName = typeName;
        }

        void consume(String name) {
            consumed.add(name);
        }

        JsonNode raw(String name) {
            consumed.add(name);
            return props.get(name);
        }

        private JsonNode get(String name, boolean required) {
            JsonNode n = raw(name);
            if (n == null && required) {
                throw QmpException.generic("Parameter '" + name + "' is missing");
            }
            return n;
        }

        private static QmpException expects(String name, String what) {
            return QmpException.generic("Parameter '" + name + "' expects " + what);
        }

        String string(String name, boolean required) {
            JsonNode n = get(name, required);
            if (n != null && !n.isTextual()) {
                throw QmpException.generic("Invalid parameter type for '" + name + "', expected: string");
            }
            return n == null ? null : n.asText();
        }

        Boolean bool(String name) {
            JsonNode n = raw(name);
            if (n == null) {
                return null;
            }
            if (commandLine) {
                return switch (n.asText()) {
                    case "on" -> true;
                    case "off" -> false;
                    default -> throw expects(name, "'on' or 'off'");
                };
            }
            if (!n.isBoolean()) {
                throw QmpException.generic("Invalid parameter type for '" + name + "', expected: boolean");
            }
            return n.booleanValue();
        }

        void enumValue(String name, List<String> values) {
            String v = string(name, false);
            if (v != null && !values.contains(v)) {
                throw QmpException.generic("Parameter '" + name + "' does not accept value '" + v + "'");
            }
        }

        Long size(String name, boolean required) {
            JsonNode n = get(name, required);
            if (n == null) {
                return null;
            }
            if (commandLine) {
                try {
                    return QemuSize.parse(n.asText(), 'B');
                } catch (QemuSize.SizeFormatException e) {
                    throw expects(name, "size");
                }
            }
            return QmpArgs.uint64Value(name, n);
        }

        Long uint64(String name) {
            JsonNode n = raw(name);
            if (n == null) {
                return null;
            }
            if (commandLine) {
                try {
                    return QemuSize.strtou64(n.asText());
                } catch (QemuSize.SizeFormatException e) {
                    throw expects(name, "integer");
                }
            }
            return QmpArgs.uint64Value(name, n);
        }

        /** A uint32 QOM object property (visit_type_uint32()): a uint64 first, then the range. */
        Long uint32(String name) {
            Long v = uint64(name);
            if (v != null && Long.compareUnsigned(v, 0xffff_ffffL) > 0) {
                throw expects(name, "uint32");
            }
            return v;
        }

        Long int64(String name) {
            JsonNode n = raw(name);
            if (n == null) {
                return null;
            }
            if (commandLine) {
                try {
                    return QemuSize.strtoi64(n.asText());
                } catch (QemuSize.SizeFormatException e) {
                    throw expects(name, "integer");
                }
            }
            Long v = QmpArgs.asInt64(n);
            if (v == null) {
                throw QmpException.generic("Invalid parameter type for '" + name + "', expected: integer");
            }
            return v;
        }

        Long int32(String name) {
            Long v = int64(name);
            if (v != null && v != (int) (long) v) {
                throw expects(name, "int32");
            }
            return v;
        }

        void uint16List(String name) {
            JsonNode n = raw(name);
            if (n == null) {
                return;
            }
            if (commandLine) {
                // keyval: host-nodes=0 (or host-nodes.0=0) -- a number list as one value
                try {
                    if (Long.compareUnsigned(QemuSize.strtou64(n.asText()), 0xffff) > 0) {
                        throw expects(name, "uint16");
                    }
                } catch (QemuSize.SizeFormatException e) {
                    throw expects(name, "integer");
                }
                return;
            }
            if (!n.isArray()) {
                throw QmpException.generic("Invalid parameter type for '" + name + "', expected: array");
            }
            for (int i = 0; i < n.size(); i++) {
                if (Long.compareUnsigned(QmpArgs.uint64Value(name + "[" + i + "]", n.get(i)), 0xffff) > 0) {
                    throw expects(name + "[" + i + "]", "uint16");
                }
            }
        }

        /**
         * A uint32 device property (the node of a memory device): a number, also given as a string
         * ("1" is accepted, "x" is not an integer); out of 0..2^32-1 it "expects uint32_t"
         * (the qdev property setter's text, recorded).
         */
        Long qdevUint32(String name) {
            JsonNode n = raw(name);
            if (n == null) {
                return null;
            }
            java.math.BigInteger v;
            if (n.isIntegralNumber()) {
                v = n.bigIntegerValue();
            } else {
                try {
                    v = n.isTextual() ? new java.math.BigInteger(n.asText().strip()) : null;
                } catch (NumberFormatException e) {
                    v = null;
                }
                if (v == null) {
                    throw QmpException.generic("Parameter '" + name + "' expects integer");
                }
            }
            if (v.signum() < 0 || v.bitLength() > 32) {
                throw QmpException.generic("Parameter '" + name + "' expects uint32_t");
            }
            return v.longValue();
        }

        /** Unknown members: a device property error ("Property 'pc-dimm.x' not found") or a QAPI one. */
        void checkUnexpected(boolean deviceProperties) {
            for (String f : props.keySet()) {
                if (!consumed.contains(f)) {
                    if (deviceProperties) {
                        throw QmpException.generic("Property '" + typeName + "." + f + "' not found");
                    }
                    throw QmpException.generic("Parameter '" + f + "' is unexpected");
                }
            }
        }
    }
}
