package org.hotmem.cli;

import org.hotmem.scenario.MachineTarget;
import org.hotmem.scenario.ScenarioRunner;

/** The scenario runner the CLI uses: scenarios played on the full machine model. */
final class Runners {
    private Runners() {}

    static ScenarioRunner machine() {
        return new ScenarioRunner(MachineTarget::boot);
    }
}
