import Testing

@testable import AMQP

/// The connection's decisions, driven through sequences a broker produces (losses, confirms
/// out of order, refusals, channel closes) with no socket: waiters and publishes are names.
@Suite struct ConnectionStateMachineTests {
    typealias Machine = ConnectionStateMachine<String, String>
    let start = ContinuousClock.now

    func machine(reconnect: Bool = true, endpoints: Int = 1, nackStreakLimit: Int = 200) -> Machine {
        var configuration = AMQPConfiguration()
        configuration.reconnect.enabled = reconnect
        configuration.reconnect.initialDelay = .milliseconds(100)
        configuration.reconnect.maximumDelay = .seconds(1)
        configuration.operationTimeout = .seconds(30)
        configuration.alternateEndpoints = (1..<endpoints).map { .init(host: "node\($0)", port: 5672) }
        var settings = Machine.Settings(configuration)
        settings.nackStreakLimit = nackStreakLimit
        var machine = Machine(settings: settings)
        machine.socketOpened()
        machine.connected()
        return machine
    }

    func lost(_ machine: inout Machine, at instant: ContinuousClock.Instant? = nil) -> Machine.LossAction {
        machine.connectionLost(AMQPError(code: .connectionLost, operation: "read frame", message: "socket closed"), now: instant ?? start)
    }

    // MARK: Reconnect

    @Test func operationsWaitWhileReconnectingAndRunInOrderOnceOpen() {
        var machine = machine()
        guard case .reconnect(let failing, let at) = lost(&machine) else {
            Issue.record("a loss with reconnect on must schedule a reconnect")
            return
        }
        #expect(failing.isEmpty)
        #expect(at == start + .milliseconds(100))
        #expect(!machine.isOpen)
        for name in ["declare", "publish"] {
            guard case .wait = machine.whenOpen(name, name, now: start) else {
                Issue.record("\(name) must wait for the reconnect")
                return
            }
        }
        let next1 = machine.nextReadyOperation()
        #expect(next1 == nil, "nothing runs before the connection is back")

        #expect(machine.reconnectAttempt(now: start)?.due == false)
        #expect(machine.reconnectAttempt(now: start + .milliseconds(100))?.due == true)
        machine.reconnected()
        #expect(machine.recoveries == 1)
        let next2 = machine.nextReadyOperation()
        #expect(next2 == "declare")
        let next3 = machine.nextReadyOperation()
        #expect(next3 == "publish")
        let next4 = machine.nextReadyOperation()
        #expect(next4 == nil)
    }

    @Test func aLossWhileRunningWaitingOperationsKeepsTheRestWaiting() {
        var machine = machine()
        _ = lost(&machine)
        _ = machine.whenOpen("first", "first", now: start)
        _ = machine.whenOpen("second", "second", now: start)
        machine.reconnected()
        let next5 = machine.nextReadyOperation()
        #expect(next5 == "first")
        _ = lost(&machine)  // the first operation's I/O found the socket gone again
        let next6 = machine.nextReadyOperation()
        #expect(next6 == nil)
        #expect(machine.waitingCount == 1)
        machine.reconnected()
        let next7 = machine.nextReadyOperation()
        #expect(next7 == "second")
    }

    @Test func failedReconnectsBackOffDoublingToTheCapAndRotateEndpoints() {
        var machine = machine(endpoints: 3)
        _ = lost(&machine)
        #expect(machine.endpointIndex == 1, "the node that dropped us is tried last")
        var delays: [Duration] = []
        for attempt in 0..<6 { delays.append(machine.reconnectFailed(attempt: attempt, now: start)) }
        #expect(delays == [.milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1), .seconds(1)])
        #expect(machine.endpointIndex == 7)
        #expect(machine.reconnectAttempt(now: start)?.attempt == 6)
    }

    @Test func waitingOperationsExpireAtTheirDeadline() {
        var machine = machine()
        _ = lost(&machine)
        _ = machine.whenOpen("early", "early", now: start)
        _ = machine.whenOpen("late", "late", now: start + .seconds(10))
        let expireOperations8 = machine.expireOperations(now: start + .seconds(29), endpoint: "b:5672")
        #expect(expireOperations8.isEmpty)
        let expired = machine.expireOperations(now: start + .seconds(30), endpoint: "b:5672")
        #expect(expired.map(\.0) == ["early"])
        #expect(expired.first?.1.code == .notConnected)
        #expect(machine.waitingCount == 1)
    }

    @Test func withoutReconnectALossFailsEverythingOwed() {
        var machine = machine(reconnect: false)
        machine.published(exchange: "x", routingKey: "k", mandatory: false, "p1")
        guard case .fail(let failing, let operations, _) = lost(&machine) else {
            Issue.record("a loss with reconnect off must fail")
            return
        }
        #expect(failing.map(\.0) == ["p1"])
        #expect(operations.isEmpty)
        guard case .fail(_, let error) = machine.whenOpen("later", "later", now: start) else {
            Issue.record("an operation after the failure must fail at once")
            return
        }
        #expect(error.code == .notConnected)
    }

    @Test func aFailureWhileNotInServiceIsNoSecondLoss() {
        var machine = machine()
        _ = lost(&machine)
        let epoch = machine.epoch
        guard case .none = lost(&machine) else {
            Issue.record("a failure during a reconnect attempt is not a new loss")
            return
        }
        #expect(machine.epoch == epoch)
    }

    // MARK: Confirms and nacks

    @Test func confirmsResolveTheirPublishesAlsoOutOfOrderAndMultiple() {
        var machine = machine()
        let tags = ["a", "b", "c", "d"].map { machine.published(exchange: "x", routingKey: "k", mandatory: false, $0) }
        #expect(tags == [1, 2, 3, 4])
        let confirm9 = machine.confirm(tag: 2, multiple: false, nack: false)
        #expect(confirm9.resolved.map(\.0) == ["b"])
        let multiple = machine.confirm(tag: 3, multiple: true, nack: false)
        #expect(multiple.resolved.map(\.0) == ["a", "c"])
        #expect(multiple.resolved.allSatisfy { (try? $0.1.get()) != nil })
        let confirm10 = machine.confirm(tag: 3, multiple: false, nack: false)
        #expect(confirm10.resolved.isEmpty, "a repeated confirm resolves nothing")
        #expect(machine.pendingPublishCount == 1)
    }

    @Test func aNackFailsItsPublishWithPublishNacked() {
        var machine = machine()
        machine.published(exchange: "x", routingKey: "k", mandatory: false, "refused")
        let outcome = machine.confirm(tag: 1, multiple: false, nack: true)
        #expect(outcome.resolved.count == 1)
        if case .failure(let error) = outcome.resolved.first?.1 { #expect(error.code == .publishNacked) } else { Issue.record("a nack must fail") }
        #expect(outcome.stuck == nil)
    }

    @Test func nacksWithoutEndReopenTheConnectionButAnAckResetsTheStreak() {
        var machine = machine(nackStreakLimit: 3)
        for name in ["a", "b", "c", "d", "e"] { machine.published(exchange: "x", routingKey: "k", mandatory: false, name) }
        let confirm11 = machine.confirm(tag: 1, multiple: false, nack: true)
        #expect(confirm11.stuck == nil)
        let confirm12 = machine.confirm(tag: 2, multiple: false, nack: true)
        #expect(confirm12.stuck == nil)
        let confirm13 = machine.confirm(tag: 3, multiple: false, nack: false)
        #expect(confirm13.stuck == nil)
        let confirm14 = machine.confirm(tag: 4, multiple: false, nack: true)
        #expect(confirm14.stuck == nil)
        let confirm15 = machine.confirm(tag: 5, multiple: false, nack: true)
        #expect(confirm15.stuck == nil)
        machine.published(exchange: "x", routingKey: "k", mandatory: false, "f")
        let confirm16 = machine.confirm(tag: 6, multiple: false, nack: true)
        #expect(confirm16.stuck?.code == .connectionLost)
    }

    @Test func aReturnMarksTheOldestMatchingMandatoryPublishUnroutable() {
        var machine = machine()
        machine.published(exchange: "x", routingKey: "a", mandatory: false, "not mandatory")
        machine.published(exchange: "x", routingKey: "a", mandatory: true, "first")
        machine.published(exchange: "x", routingKey: "a", mandatory: true, "second")
        let returned17 = machine.returned(code: 312, text: "NO_ROUTE", exchange: "x", routingKey: "a")
        #expect(returned17)
        let returned18 = machine.returned(code: 312, text: "NO_ROUTE", exchange: "x", routingKey: "elsewhere")
        #expect(!returned18)
        let outcome = machine.confirm(tag: 3, multiple: true, nack: false)
        let results = Dictionary(uniqueKeysWithValues: outcome.resolved.map { ($0.0, $0.1) })
        if case .failure(let error) = results["first"] {
            #expect(error.code == .unroutable)
            #expect(error.replyCode == 312)
        } else {
            Issue.record("the returned publish must fail as unroutable")
        }
        #expect((try? results["not mandatory"]?.get()) != nil)
        #expect((try? results["second"]?.get()) != nil)
    }

    @Test func aLossFailsUnconfirmedPublishesInOrderAndTheNewSocketCountsFromOne() {
        var machine = machine()
        for name in ["a", "b", "c"] { machine.published(exchange: "x", routingKey: "k", mandatory: false, name) }
        _ = machine.confirm(tag: 1, multiple: false, nack: false)
        guard case .reconnect(let failing, _) = lost(&machine) else {
            Issue.record("expected a reconnect")
            return
        }
        #expect(failing.map(\.0) == ["b", "c"])
        #expect(failing.allSatisfy { $0.1.code == .connectionLost })
        machine.socketOpened()
        machine.reconnected()
        let published19 = machine.published(exchange: "x", routingKey: "k", mandatory: false, "d")
        #expect(published19 == 1)
        let confirm20 = machine.confirm(tag: 1, multiple: false, nack: false)
        #expect(confirm20.resolved.map(\.0) == ["d"])
    }

    // MARK: Channel close and epochs

    @Test func aClosedPublishChannelFailsItsPublishesAndRestartsTags() {
        var machine = machine()
        machine.published(exchange: "x", routingKey: "k", mandatory: false, "a")
        machine.published(exchange: "x", routingKey: "k", mandatory: false, "b")
        let epoch = machine.epoch
        let failing = machine.publishChannelClosed(AMQPError(code: .channelClosed, operation: "publish", replyCode: 406, message: "PRECONDITION_FAILED"))
        #expect(failing.map(\.0) == ["a", "b"])
        #expect(failing.allSatisfy { $0.1.code == .channelClosed })
        #expect(machine.epoch > epoch, "settlements of the old channel must be recognised as stale")
        #expect(machine.isOpen, "a channel close is not a connection loss")
        let published21 = machine.published(exchange: "x", routingKey: "k", mandatory: false, "c")
        #expect(published21 == 1)
        let confirm22 = machine.confirm(tag: 2, multiple: true, nack: false)
        #expect(confirm22.resolved.map(\.0) == ["c"], "old tags resolve nothing")
    }

    @Test func everyReplacementGetsANewEpoch() {
        var machine = machine()
        let consumer = machine.nextEpoch()
        let restarted = machine.nextEpoch()
        #expect(restarted != consumer)
        _ = lost(&machine)
        #expect(machine.epoch != restarted, "deliveries from before the loss are stale")
    }

    // MARK: Closing

    @Test func shutdownFailsPublishesAndWaitersAndRefusesNewWork() {
        var machine = machine()
        machine.published(exchange: "x", routingKey: "k", mandatory: false, "p")
        _ = lost(&machine)
        _ = machine.whenOpen("declare", "w", now: start)
        let owed = machine.shutdown()
        #expect(owed.publishes.isEmpty, "the loss already failed p")
        #expect(owed.operations.map(\.0) == ["w"])
        #expect(owed.operations.allSatisfy { $0.1.code == .shutdown })
        guard case .fail(_, let error) = machine.whenOpen("after", "after", now: start) else {
            Issue.record("a closed connection takes no work")
            return
        }
        #expect(error.code == .shutdown)
    }

    @Test func phaseChangesAreCountedForTheStatusBoard() {
        var machine = Machine(settings: .init(AMQPConfiguration()))
        #expect(machine.phaseChanges == 0)
        machine.connected()
        machine.published(exchange: "x", routingKey: "k", mandatory: false, "p")
        #expect(machine.phaseChanges == 1, "a publish is no phase change")
        _ = lost(&machine)
        #expect(machine.phaseChanges == 2)
    }
}
