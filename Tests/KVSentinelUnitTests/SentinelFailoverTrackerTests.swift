import KVCore
import Testing

@testable import KVSentinel

/// The sentinel store's failover decisions, driven by scripted announcements and a manual clock: no server.
@Suite struct SentinelFailoverTrackerTests {
    let old = KVEndpoint(host: "10.0.0.1", port: 6379)
    let promoted = KVEndpoint(host: "10.0.0.3", port: 6381)
    let other = KVEndpoint(host: "10.0.0.2", port: 6380)
    let start = ContinuousClock.now

    func event(_ channel: String, _ payload: String) -> SentinelEvent? {
        SentinelEvent.parse(channel: channel, payload: payload, masterName: "mymaster")
    }

    @Test func parsesEachStepOfAFailoverAsSentinelPublishesIt() {
        #expect(event("+elected-leader", "master mymaster 10.0.0.1 6379") == SentinelEvent(master: old, kind: .failoverStarted(candidate: nil)))
        #expect(event("+selected-slave", "slave 10.0.0.3:6381 10.0.0.3 6381 @ mymaster 10.0.0.1 6379")
            == SentinelEvent(master: old, kind: .failoverStarted(candidate: promoted)))
        #expect(event("+promoted-slave", "slave 10.0.0.3:6381 10.0.0.3 6381 @ mymaster 10.0.0.1 6379") == SentinelEvent(master: old, kind: .promoted(promoted)))
        #expect(event("+switch-master", "mymaster 10.0.0.1 6379 10.0.0.3 6381") == SentinelEvent(master: old, kind: .switched(to: promoted)))
        #expect(event("-failover-abort-no-good-slave", "master mymaster 10.0.0.1 6379") == SentinelEvent(master: old, kind: .aborted))
    }

    @Test func ignoresOtherMastersAndMalformedPayloads() {
        #expect(event("+switch-master", "othermaster 10.0.0.1 6379 10.0.0.3 6381") == nil)
        #expect(event("+selected-slave", "slave 10.0.0.3:6381 10.0.0.3 6381 @ othermaster 10.0.0.1 6379") == nil)
        #expect(event("+switch-master", "mymaster 10.0.0.1 6379 10.0.0.3") == nil)
        #expect(event("+switch-master", "mymaster 10.0.0.1 6379 10.0.0.3 99999") == nil)
        #expect(event("+promoted-slave", "slave 10.0.0.3:6381 10.0.0.3 x @ mymaster 10.0.0.1 6379") == nil)
        #expect(event("+sdown", "master mymaster 10.0.0.1 6379") == nil)
        #expect(event("+elected-leader", "") == nil)
    }

    @Test func holdsWritesFromTheStartOfAFailoverOfTheMasterInUseUntilTheNewMasterIsAdopted() {
        var tracker = SentinelFailoverTracker()
        tracker.adopted(old, replacing: nil, now: start)
        do {
            let outcome = tracker.holdsWrites(current: old, now: start)
            #expect(!outcome)
        }
        tracker.apply(event("+elected-leader", "master mymaster 10.0.0.1 6379")!, current: old, now: start)
        do {
            let outcome = tracker.holdsWrites(current: old, now: start + .milliseconds(10))
            #expect(outcome)
        }
        tracker.apply(event("+selected-slave", "slave 10.0.0.3:6381 10.0.0.3 6381 @ mymaster 10.0.0.1 6379")!, current: old, now: start)
        #expect(tracker.failover?.candidate == promoted)
        // The candidate is tried first; the old master is tried last, after the sentinels' names.
        #expect(tracker.candidates(named: [old], current: old, now: start) == [promoted, old])
        // Re-checking the old master (it still answers as master) does not end the hold.
        tracker.adopted(old, replacing: old, now: start + .milliseconds(50))
        do {
            let outcome = tracker.holdsWrites(current: old, now: start + .milliseconds(60))
            #expect(outcome)
        }
        tracker.adopted(promoted, replacing: old, now: start + .milliseconds(100))
        do {
            let outcome = tracker.holdsWrites(current: promoted, now: start + .milliseconds(100))
            #expect(!outcome)
        }
        #expect(tracker.failover == nil)
    }

    @Test func aFailoverOfAnotherMasterOrAnAbortDoesNotHoldWrites() {
        var tracker = SentinelFailoverTracker()
        tracker.apply(event("+elected-leader", "master mymaster 10.0.0.2 6380")!, current: old, now: start)
        do {
            let outcome = tracker.holdsWrites(current: old, now: start)
            #expect(!outcome)
        }
        tracker.apply(event("+elected-leader", "master mymaster 10.0.0.1 6379")!, current: old, now: start)
        do {
            let outcome = tracker.holdsWrites(current: old, now: start)
            #expect(outcome)
        }
        do {
            let outcome = tracker.apply(event("-failover-abort-no-good-slave", "master mymaster 10.0.0.1 6379")!, current: old, now: start)
            #expect(outcome)
        }
        do {
            let outcome = tracker.holdsWrites(current: old, now: start)
            #expect(!outcome)
        }
    }

    @Test func aHoldLapsesAfterItsBound() {
        var tracker = SentinelFailoverTracker(maxHold: .seconds(30))
        tracker.apply(event("+elected-leader", "master mymaster 10.0.0.1 6379")!, current: old, now: start)
        do {
            let outcome = tracker.holdsWrites(current: old, now: start + .seconds(29))
            #expect(outcome)
        }
        do {
            let outcome = tracker.holdsWrites(current: old, now: start + .seconds(30))
            #expect(!outcome)
        }
        #expect(tracker.failover == nil)
    }

    @Test func aSentinelThatStillNamesTheOldMasterCannotSendTheStoreBack() {
        var tracker = SentinelFailoverTracker(demotedMemory: .seconds(60))
        tracker.adopted(old, replacing: nil, now: start)
        tracker.adopted(promoted, replacing: old, now: start + .seconds(1))
        // The leader names the old master until its failover ends; another sentinel names the new one.
        #expect(tracker.candidates(named: [old], current: promoted, now: start + .seconds(2)) == [promoted, old])
        #expect(tracker.candidates(named: [old, promoted], current: promoted, now: start + .seconds(2)) == [promoted, old])
        // Once the memory lapses the old master is an ordinary name again (a later failover back to it).
        #expect(tracker.candidates(named: [old], current: promoted, now: start + .seconds(62)) == [old, promoted])
    }

    @Test func aNewNameIsTriedBeforeTheMasterInUse() {
        var tracker = SentinelFailoverTracker()
        tracker.adopted(old, replacing: nil, now: start)
        #expect(tracker.candidates(named: [other], current: old, now: start) == [other, old])
        do {
            let outcome = tracker.apply(event("+switch-master", "mymaster 10.0.0.1 6379 10.0.0.3 6381")!, current: old, now: start)
            #expect(outcome)
        }
        #expect(tracker.candidates(named: [old], current: old, now: start) == [promoted, old])
        tracker.adopted(promoted, replacing: old, now: start)
        #expect(tracker.announced == nil)
    }

    @Test func aSentinelReportingAFailoverHoldsWritesAndAFullSurveyWithoutOneEndsTheHold() {
        var tracker = SentinelFailoverTracker()
        tracker.surveyed(failingOver: [old], allAnswered: false, current: old, now: start)
        do {
            let held = tracker.holdsWrites(current: old, now: start)
            #expect(held)
        }
        // A survey some sentinels did not answer cannot tell that the failover ended.
        tracker.surveyed(failingOver: [], allAnswered: false, current: old, now: start)
        do {
            let held = tracker.holdsWrites(current: old, now: start)
            #expect(held)
        }
        tracker.surveyed(failingOver: [], allAnswered: true, current: old, now: start)
        do {
            let held = tracker.holdsWrites(current: old, now: start)
            #expect(!held)
        }
        // Once the candidate was promoted the failover goes on whatever a survey says.
        tracker.apply(event("+promoted-slave", "slave 10.0.0.3:6381 10.0.0.3 6381 @ mymaster 10.0.0.1 6379")!, current: old, now: start)
        tracker.surveyed(failingOver: [], allAnswered: true, current: old, now: start)
        #expect(tracker.failover?.promoted == true)
    }

    @Test func aLateSwitchAnnouncementOfAnEarlierFailoverIsIgnored() {
        var tracker = SentinelFailoverTracker()
        tracker.adopted(promoted, replacing: old, now: start)
        // The leader of the failover old → other announces it late, after the store moved on to `promoted`.
        do {
            let marked = tracker.apply(event("+switch-master", "mymaster 10.0.0.1 6379 10.0.0.2 6380")!, current: promoted, now: start)
            #expect(!marked)
        }
        #expect(tracker.candidates(named: [promoted], current: promoted, now: start) == [promoted])
    }

    @Test func verificationIsDueOnlyAfterItsInterval() {
        var tracker = SentinelFailoverTracker(verifyInterval: .seconds(1))
        #expect(tracker.needsVerification(now: start))
        tracker.adopted(old, replacing: nil, now: start)
        #expect(!tracker.needsVerification(now: start + .milliseconds(999)))
        #expect(tracker.needsVerification(now: start + .seconds(1)))
    }
}
