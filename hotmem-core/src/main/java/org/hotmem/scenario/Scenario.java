package org.hotmem.scenario;

import java.util.List;

/**
 * A parsed, validated scenario: the machine, workloads, timeline and expectations. Immutable; a
 * run is a function of it and a seed ({@link ScenarioRunner#run(Scenario, long)}).
 *
 * @param file     the file it came from (for messages)
 * @param duration virtual time the run lasts (the end of the timeline if not given)
 * @param sample   interval of the time series in the report
 * @param seed     the default seed when none is given on the command line
 */
public record Scenario(String file, String name, String description, MachineSpec machine, long seed,
                       long duration, long sample, List<WorkloadSpec> workloads, List<Action> timeline,
                       List<Expectation> expectations) {
    public Scenario {
        workloads = List.copyOf(workloads);
        timeline = List.copyOf(timeline);
        expectations = List.copyOf(expectations);
    }
}
