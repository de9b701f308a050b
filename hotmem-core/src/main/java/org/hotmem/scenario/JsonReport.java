package org.hotmem.scenario;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON form of a {@link RunResult}. Field order is fixed and maps are sorted, so the same run
 * gives byte-identical output; integral metrics are written as integers. Times are virtual
 * nanoseconds ({@code *_ns}).
 */
public final class JsonReport {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private JsonReport() {}

    public static ObjectNode tree(RunResult r) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("scenario", r.scenario());
        root.put("seed", r.seed());
        ObjectNode params = root.putObject("params");
        r.params().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                .forEach(e -> params.put(e.getKey(), e.getValue()));
        root.put("end_ns", r.endNs());
        root.put("passed", r.passed());
        ArrayNode ex = root.putArray("expectations");
        for (RunResult.Verdict v : r.expectations()) {
            ObjectNode o = ex.addObject();
            o.put("line", v.line());
            o.put("expectation", v.expectation());
            o.put("passed", v.passed());
            o.put("actual", v.actual());
        }
        ObjectNode metrics = root.putObject("metrics");
        r.metrics().forEach((k, v) -> putNumber(metrics, k, v));
        ArrayNode actions = root.putArray("actions");
        for (RunResult.ActionOutcome a : r.actions()) {
            ObjectNode o = actions.addObject();
            o.put("id", a.id());
            o.put("kind", a.kind());
            o.put("what", a.what());
            o.put("line", a.line());
            o.put("start_ns", a.start());
            o.put("end_ns", a.end());
            o.put("duration_ns", a.duration());
            o.put("result", a.result());
            o.put("detail", a.detail());
        }
        ArrayNode blocks = root.putArray("blocks");
        for (RunResult.BlockOutcome b : r.blocks()) {
            ObjectNode o = blocks.addObject();
            o.put("id", b.id());
            o.put("state", b.state());
            o.put("zone", b.zone());
            o.put("onlined", b.onlined());
            o.put("offlined", b.offlined());
            o.put("failed_offlines", b.failedOfflines());
            o.put("last_error", b.lastError());
        }
        ArrayNode events = root.putArray("timeline");
        for (RunResult.Event e : r.events()) {
            ObjectNode o = events.addObject();
            o.put("t_ns", e.t());
            o.put("source", e.source());
            o.put("what", e.what());
            o.put("outcome", e.outcome());
            o.put("errno", e.errno());
        }
        ArrayNode samples = root.putArray("samples");
        for (RunResult.Sample s : r.samples()) {
            ObjectNode o = samples.addObject();
            o.put("t_ns", s.t());
            o.put("map", s.map());
            ObjectNode free = o.putObject("free_pages");
            s.freePages().forEach(free::put);
            o.put("migrated", s.migrated());
            o.put("retries", s.retries());
            o.put("pinned_pages", s.pinnedPages());
        }
        ArrayNode log = root.putArray("kernel_log");
        r.kernelLog().forEach(log::add);
        return root;
    }

    /** The report as text, ending with a newline. */
    public static String write(RunResult r) {
        try {
            return MAPPER.writeValueAsString(tree(r)) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static void putNumber(ObjectNode o, String k, double v) {
        if (v == Math.rint(v) && Math.abs(v) < 9e15) o.put(k, (long) v);
        else o.put(k, v);
    }
}
