package org.hotmem.hv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The QMP monitor's handling of raw input text: models handle_qmp_command() of monitor/qmp.c
 * and qmp_dispatch() / qmp_dispatch_check_obj() of qapi/qmp-dispatch.c. Every top-level JSON
 * value of the text ({@link QmpJson}) is one request and gets one reply: a JSON error as
 * {@code GenericError "JSON parse error, ..."}, a value that is not an object as
 * {@code QMP input must be a JSON object}, a request with members other than {@code execute},
 * {@code arguments} and {@code id} (or of the wrong types) with QEMU's texts, else the
 * command's own reply; the request's {@code id} is copied into its reply. Capabilities were
 * negotiated without {@code oob}, so {@code exec-oob} is an unexpected member.
 *
 * <p>Stateless.
 */
public final class QmpMonitor {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private QmpMonitor() {
    }

    /** The replies to {@code text}, in order; {@code dispatch} runs one command with its arguments. */
    public static List<ObjectNode> handle(String text, BiFunction<String, ObjectNode, ObjectNode> dispatch) {
        List<ObjectNode> replies = new ArrayList<>();
        for (QmpJson.Item item : QmpJson.parse(text)) {
            if (item.error() != null) {
                replies.add(error(item.error()));
                continue;
            }
            if (!(item.value() instanceof ObjectNode req)) {
                replies.add(error("QMP input must be a JSON object"));
                continue;
            }
            String bad = checkObj(req);
            ObjectNode reply = bad != null ? error(bad)
                    : dispatch.apply(req.get("execute").asText(),
                            req.has("arguments") ? (ObjectNode) req.get("arguments") : JSON.objectNode());
            if (req.has("id")) {
                reply = reply.deepCopy();
                reply.set("id", req.get("id"));
            }
            replies.add(reply);
        }
        return replies;
    }

    /** Models qmp_dispatch_check_obj() without out-of-band execution: the error text, or null. */
    private static String checkObj(ObjectNode req) {
        boolean hasExecute = false;
        Iterator<Map.Entry<String, JsonNode>> it = req.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            switch (e.getKey()) {
                case "execute" -> {
                    if (!e.getValue().isTextual()) {
                        return "QMP input member 'execute' must be a string";
                    }
                    hasExecute = true;
                }
                case "arguments" -> {
                    if (!e.getValue().isObject()) {
                        return "QMP input member 'arguments' must be an object";
                    }
                }
                case "id" -> {
                }
                default -> {
                    return "QMP input member '" + e.getKey() + "' is unexpected";
                }
            }
        }
        return hasExecute ? null : "QMP input lacks member 'execute'";
    }

    /** qmp_error_response() of a GenericError. */
    static ObjectNode error(String desc) {
        ObjectNode reply = JSON.objectNode();
        ObjectNode err = reply.putObject("error");
        err.put("class", QmpException.GENERIC_ERROR);
        err.put("desc", desc);
        return reply;
    }

    /** A request as the recording harness sends it: {@code {"execute": EXECUTE, "arguments": ARGS}}, ARGS as typed. */
    public static String request(String execute, String argumentsText) {
        ObjectNode req = JSON.objectNode();
        req.put("execute", execute);
        String head = req.toString();
        return argumentsText.isBlank() ? head : head.substring(0, head.length() - 1) + ", \"arguments\": " + argumentsText + "}";
    }
}
