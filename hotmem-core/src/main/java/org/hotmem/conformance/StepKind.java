package org.hotmem.conformance;

/** The kinds of scenario steps, named as in the transcripts' {@code kind} field. */
public enum StepKind {
    BOOT("boot"),
    NOTE("note"),
    GUEST("guest"),
    WAIT("wait"),
    QMP("qmp"),
    EVENT("event"),
    SLEEP("sleep"),
    GUEST_ASYNC("guest-async"),
    EXPECT_EXIT("expect-exit"),
    RESTART("restart"),
    RESTART_WITH_QEMU("restart-with-qemu");

    private final String json;

    StepKind(String json) {
        this.json = json;
    }

    /** The name used in the {@code kind} field and as the scenario keyword. */
    public String json() {
        return json;
    }
}
