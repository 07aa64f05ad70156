@testable import KVRing
import Testing

/// The ring's membership state machine, with a manual clock and no server.
@Suite struct RingMembershipTests {
    @Test func failuresTakeAShardDownAndOneSuccessBringsItBack() {
        var membership = RingMembership(shards: ["a", "b"], failureThreshold: 3, probeInterval: .milliseconds(500))
        let start = ContinuousClock.now
        #expect(membership.recordFailure("a", error: "refused", at: start) == nil)
        #expect(membership.recordFailure("a", error: "refused", at: start) == nil)
        #expect(membership.recordSuccess("a", latency: nil) == nil, "a success resets the count")
        #expect(membership.recordFailure("a", error: "refused", at: start) == nil)
        #expect(membership.recordFailure("a", error: "refused", at: start) == nil)
        #expect(membership.recordFailure("a", error: "refused", at: start) == .down(shard: "a", error: "refused"))
        #expect(!membership.isUp("a") && membership.isUp("b"))
        #expect(membership.downCount == 1)
        #expect(membership.recordFailure("a", error: "refused", at: start) == nil, "down is announced once")
        #expect(membership.recordSuccess("a", latency: .milliseconds(1)) == .up(shard: "a"))
        #expect(membership.isUp("a") && membership.downCount == 0)
    }

    @Test func aDownShardIsDueForAProbeOncePerInterval() {
        var membership = RingMembership(shards: ["a", "b", "c"], failureThreshold: 1, probeInterval: .milliseconds(500))
        let start = ContinuousClock.now
        _ = membership.recordFailure("b", error: "timeout", at: start)
        _ = membership.recordFailure("c", error: "timeout", at: start)
        #expect(membership.takeDueProbes(at: start + .milliseconds(100)).isEmpty, "not before the interval")
        #expect(membership.takeDueProbes(at: start + .milliseconds(500)) == ["b", "c"])
        #expect(membership.takeDueProbes(at: start + .milliseconds(600)).isEmpty, "handed out once per interval")
        _ = membership.recordFailure("b", error: "timeout", at: start + .milliseconds(600))
        #expect(membership.takeDueProbes(at: start + .milliseconds(1000)) == ["c"])
        #expect(membership.takeDueProbes(at: start + .milliseconds(1100)) == ["b"])
        _ = membership.recordSuccess("b", latency: nil)
        _ = membership.recordSuccess("c", latency: nil)
        #expect(membership.takeDueProbes(at: start + .seconds(10)).isEmpty)
    }

    @Test func removedShardsLeaveNoCount() {
        var membership = RingMembership(shards: ["a", "b"], failureThreshold: 1, probeInterval: .seconds(1))
        _ = membership.recordFailure("a", error: "x", at: .now)
        membership.remove("a")
        #expect(membership.downCount == 0)
        membership.add("a")
        #expect(membership.isUp("a"))
    }
}
