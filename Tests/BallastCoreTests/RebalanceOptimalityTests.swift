@testable import BallastCore
import Foundation
import Testing

/// The flow solver against references that share no code with it.
@Suite struct RebalanceOptimalityTests {
    /// A random network: `n` chains, givers and short chains, lanes on random ordered pairs.
    static func randomNetwork(_ rng: inout SplitMix64, chains n: Int, density: Double, fixed: Bool,
                              capacities: Bool) -> RebalanceNetwork {
        var supply = [Int128](repeating: 0, count: n), demand = [Int128](repeating: 0, count: n)
        for i in 0..<n {
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: supply[i] = Int128(Int.random(in: 1...100_000, using: &rng))
            case 1: demand[i] = Int128(Int.random(in: 1...100_000, using: &rng))
            default: break  // relays only
            }
        }
        var lanes: [RebalanceNetwork.Lane] = []
        for from in 0..<n {
            for to in 0..<n where from != to && Double.random(in: 0..<1, using: &rng) < density {
                lanes.append(RebalanceNetwork.Lane(
                    routeIndex: lanes.count, from: from, to: to,
                    unitCost: Double(Int.random(in: 1...1000, using: &rng)) / 1e6, unitValue: 1,
                    fixedCost: fixed ? Double(Int.random(in: 0...5000, using: &rng)) / 100 : 0,
                    minUnits: 1,
                    capacity: capacities && Bool.random(using: &rng) ? Int128(Int.random(in: 1_000...80_000, using: &rng)) : MinCostFlow.unlimited))
            }
        }
        return RebalanceNetwork(chainCount: n, supply: supply, demand: demand, lanes: lanes)
    }

    static func linearFlow(_ network: RebalanceNetwork) -> RebalanceNetwork.Flow {
        network.solve(allowed: [Bool](repeating: true, count: network.lanes.count)) { network.lanes[$0].unitCost }
    }

    /// Feasibility: capacities, supplies, demands and conservation at every chain.
    static func expectFeasible(_ network: RebalanceNetwork, _ flow: RebalanceNetwork.Flow, sourceLocation: SourceLocation = #_sourceLocation) {
        var net = [Int128](repeating: 0, count: network.chainCount)
        for (lane, units) in zip(network.lanes, flow.units) {
            #expect(units >= 0 && units <= lane.capacity, sourceLocation: sourceLocation)
            #expect(units == 0 || units >= lane.minUnits, sourceLocation: sourceLocation)
            net[lane.from] -= units
            net[lane.to] += units
        }
        for i in 0..<network.chainCount {
            // Inflow − outflow is what the chain received for itself, minus what it gave.
            let received = flow.delivered[i]
            #expect(received >= 0 && received <= network.demand[i], sourceLocation: sourceLocation)
            let given = received - net[i]
            #expect(given >= 0 && given <= network.supply[i], "chain \(i) gave \(given) of \(network.supply[i])", sourceLocation: sourceLocation)
        }
    }

    /// A flow is of minimum cost exactly when its residual network has no negative cycle
    /// (Klein's optimality condition). Checked by Bellman-Ford from a virtual root.
    static func hasNegativeResidualCycle(_ network: RebalanceNetwork, _ flow: RebalanceNetwork.Flow) -> Bool {
        let n = network.chainCount, source = n, sink = n + 1
        var edges: [(Int, Int, Double)] = []
        for (lane, units) in zip(network.lanes, flow.units) {
            if units < lane.capacity { edges.append((lane.from, lane.to, lane.unitCost)) }
            if units > 0 { edges.append((lane.to, lane.from, -lane.unitCost)) }
        }
        for i in 0..<n {
            let given = flow.delivered[i] - flow.units.indices.reduce(Int128(0)) { acc, k in
                acc + (network.lanes[k].to == i ? flow.units[k] : 0) - (network.lanes[k].from == i ? flow.units[k] : 0)
            }
            if given < network.supply[i] { edges.append((source, i, 0)) }
            if given > 0 { edges.append((i, source, 0)) }
            if flow.delivered[i] < network.demand[i] { edges.append((i, sink, 0)) }
            if flow.delivered[i] > 0 { edges.append((sink, i, 0)) }
        }
        var distance = [Double](repeating: 0, count: n + 2)
        for _ in 0..<(n + 2) {
            var changed = false
            for (u, v, w) in edges where distance[u] + w < distance[v] - 1e-12 {
                distance[v] = distance[u] + w
                changed = true
            }
            if !changed { return false }
        }
        return true
    }

    @Test func linearPlansAreFeasibleAndCarryAnOptimalityCertificate() {
        var rng = SplitMix64(seed: 4)
        for round in 0..<400 {
            let network = Self.randomNetwork(&rng, chains: Int.random(in: 2...8, using: &rng), density: 0.6,
                                             fixed: false, capacities: round % 2 == 0)
            let flow = Self.linearFlow(network)
            Self.expectFeasible(network, flow)
            #expect(!Self.hasNegativeResidualCycle(network, flow), "round \(round): a cheaper flow exists")
        }
    }

    @Test(.enabled(if: LPReference.isAvailable, "needs python3 with scipy"))
    func linearPlansMatchAnLPSolvedByScipy() throws {
        var rng = SplitMix64(seed: 11)
        var networks: [RebalanceNetwork] = []
        for round in 0..<300 {
            networks.append(Self.randomNetwork(&rng, chains: Int.random(in: 2...12, using: &rng), density: 0.5,
                                               fixed: false, capacities: round % 3 != 0))
        }
        let reference = try LPReference.solve(networks)
        for (i, network) in networks.enumerated() {
            let flow = Self.linearFlow(network)
            let cost = network.cost(of: flow)
            #expect(Double(flow.totalDelivered) == reference[i].delivered, "network \(i): delivered")
            #expect(abs(cost - reference[i].cost) <= 1e-6 * max(1, reference[i].cost), "network \(i): cost \(cost) vs LP \(reference[i].cost)")
        }
    }

    @Test func tinyNetworksMatchExhaustiveSearch() {
        // One giver, one short chain, three relays: every simple path enumerated by hand.
        var rng = SplitMix64(seed: 5)
        for _ in 0..<200 {
            var network = Self.randomNetwork(&rng, chains: 5, density: 0.5, fixed: false, capacities: false)
            network = RebalanceNetwork(chainCount: 5, supply: [1000, 0, 0, 0, 0], demand: [0, 0, 0, 0, 700], lanes: network.lanes)
            let flow = Self.linearFlow(network)
            // Without capacities the optimum sends everything along the cheapest path.
            var best = Double.infinity
            func walk(_ node: Int, _ cost: Double, _ seen: Set<Int>) {
                if node == 4 { best = min(best, cost); return }
                for lane in network.lanes where lane.from == node && !seen.contains(lane.to) {
                    walk(lane.to, cost + lane.unitCost, seen.union([lane.to]))
                }
            }
            walk(0, 0, [0])
            if best.isInfinite {
                #expect(flow.totalDelivered == 0)
            } else {
                #expect(flow.totalDelivered == 700)
                #expect(abs(network.cost(of: flow) - best * 700) <= 1e-9 * max(1, best * 700))
            }
        }
    }

    @Test func fixedCostsStayWithinTwoPercentOfTheExhaustiveOptimum() {
        var rng = SplitMix64(seed: UInt64(ProcessInfo.processInfo.environment["GAP_SEED"] ?? "12")!)
        var worst = 0.0
        for round in 0..<(Int(ProcessInfo.processInfo.environment["GAP_ROUNDS"] ?? "100")!) {
            let network = Self.randomNetwork(&rng, chains: 4, density: 1, fixed: true, capacities: round % 2 == 0)
            #expect(network.lanes.count == 12)
            let plan = FixedCostPlanner(network: network).plan()
            Self.expectFeasible(network, plan.flow)
            // Exhaustive: every subset of the 12 lanes, each solved exactly for its linear part.
            var optimum = Double.infinity
            var maxDelivered: Int128 = 0
            for mask in 0..<(1 << 12) {
                let allowed = (0..<12).map { mask & (1 << $0) != 0 }
                let flow = network.solve(allowed: allowed) { network.lanes[$0].unitCost }
                let delivered = flow.totalDelivered
                if delivered > maxDelivered { maxDelivered = delivered; optimum = .infinity }
                if delivered == maxDelivered { optimum = min(optimum, network.cost(of: flow)) }
            }
            #expect(plan.flow.totalDelivered == maxDelivered)
            if optimum > 0 {
                let gap = plan.cost / optimum - 1
                worst = max(worst, gap)
                #expect(gap <= 0.02, "round \(round): plan \(plan.cost) vs optimum \(optimum)")
            }
        }
        print("fixed-cost planner, 4 chains: worst gap to the exhaustive optimum \(worst * 100)%")
    }

    @Test func fixedCostPlansAreNeverWorseThanTheLinearPlan() {
        var rng = SplitMix64(seed: 13)
        for _ in 0..<60 {
            let network = Self.randomNetwork(&rng, chains: Int.random(in: 6...20, using: &rng), density: 0.7, fixed: true, capacities: true)
            let linear = Self.linearFlow(network)
            let plan = FixedCostPlanner(network: network).plan()
            Self.expectFeasible(network, plan.flow)
            #expect(plan.flow.totalDelivered == linear.totalDelivered)
            #expect(plan.cost <= network.cost(of: linear) + 1e-9)
        }
    }

    @Test func minimumsAreRespectedEvenWhenThatLeavesDemandUnmet() {
        let lanes = [
            RebalanceNetwork.Lane(routeIndex: 0, from: 0, to: 1, unitCost: 0.001, unitValue: 1, fixedCost: 0, minUnits: 500, capacity: MinCostFlow.unlimited),
            RebalanceNetwork.Lane(routeIndex: 1, from: 0, to: 2, unitCost: 0.001, unitValue: 1, fixedCost: 0, minUnits: 500, capacity: MinCostFlow.unlimited),
        ]
        let network = RebalanceNetwork(chainCount: 3, supply: [10_000, 0, 0], demand: [0, 300, 900], lanes: lanes)
        let plan = FixedCostPlanner(network: network).plan()
        #expect(plan.flow.units == [0, 900])
        #expect(plan.flow.delivered == [0, 0, 900])
    }
}

/// Runs `Reference/lp_reference.py` with python3 and scipy.
enum LPReference {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Reference/lp_reference.py")

    static let isAvailable: Bool = {
        (try? run(["-c", "import scipy.optimize"], input: Data()))?.status == 0
    }()

    struct Result { var cost: Double; var delivered: Double }

    static func solve(_ networks: [RebalanceNetwork]) throws -> [Result] {
        let payload = networks.map { network -> [String: Any] in
            ["nodes": network.chainCount,
             "supply": network.supply.map { Int($0) }, "demand": network.demand.map { Int($0) },
             "lanes": network.lanes.map { lane -> [String: Any] in
                 ["from": lane.from, "to": lane.to, "cost": lane.unitCost,
                  "cap": lane.capacity >= MinCostFlow.unlimited ? NSNull() : Int(lane.capacity) as Any]
             }]
        }
        let output = try run([script.path], input: JSONSerialization.data(withJSONObject: payload))
        guard output.status == 0, let results = try JSONSerialization.jsonObject(with: output.stdout) as? [[String: Any]] else {
            throw NSError(domain: "LPReference", code: Int(output.status), userInfo: [NSLocalizedDescriptionKey: "lp_reference.py failed"])
        }
        return results.map { Result(cost: $0["cost"] as? Double ?? .nan, delivered: $0["delivered"] as? Double ?? .nan) }
    }

    private static func run(_ arguments: [String], input: Data) throws -> (status: Int32, stdout: Data) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, data)
    }
}
