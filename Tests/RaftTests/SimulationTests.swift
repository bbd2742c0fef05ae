import Foundation
import Testing
import Linearizability
import RaftSimulation

/// Seeded whole-cluster simulations. CI runs a bounded set; `Scripts/sim` runs many more by
/// setting SKIFF_SIM_SEEDS (count) / SKIFF_SIM_FIRST_SEED, or replays one with SKIFF_SIM_SEED.
@Suite("Deterministic simulation: safety and linearizability under faults")
struct SimulationTests {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    @Test("3 and 5 node clusters stay safe and linearizable across varied fault schedules")
    func variedSeeds() {
        let env = Self.environment
        let seeds: [UInt64]
        if let one = env["SKIFF_SIM_SEED"].flatMap(UInt64.init) {
            seeds = [one]
        } else {
            let count = env["SKIFF_SIM_SEEDS"].flatMap(UInt64.init) ?? 30
            let first = env["SKIFF_SIM_FIRST_SEED"].flatMap(UInt64.init) ?? 1
            seeds = Array(first..<(first + count))
        }
        let verbose = env["SKIFF_SIM_VERBOSE"] != nil
        var failures: [String] = []
        for seed in seeds {
            if verbose { print("sim seed \(seed) ...") }
            let report = Simulation(options: .varied(seed: seed)).run()
            if verbose || !report.passed { print(report.summary) }
            if !report.passed { failures.append("seed \(seed)") }
        }
        #expect(failures.isEmpty, "failing seeds (replay with Scripts/sim --seed N): \(failures.joined(separator: ", "))")
    }

    @Test("the same seed replays the same run exactly")
    func deterministicReplay() {
        var options = SimulationOptions.varied(seed: 7)
        options.ticks = 600
        let a = Simulation(options: options).run()
        let b = Simulation(options: options).run()
        #expect(a.summary == b.summary)
        #expect(a.completedOperations > 0)
    }

    @Test("membership changes and leader transfers happen under a fault-free network")
    func membershipAndTransfers() {
        var options = SimulationOptions(seed: 42)
        options.membershipRate = 0.03
        options.transferRate = 0.01
        options.dropRate = 0
        options.crashRate = 0
        options.partitionRate = 0
        let report = Simulation(options: options).run()
        #expect(report.passed, "\(report.summary)")
        #expect(report.membershipChanges >= 3)
        #expect(report.transfers >= 3)
        #expect(report.completedOperations > 100)
    }
}
