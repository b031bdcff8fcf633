import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle
import Testing
import TributaryTestSupport
import TributaryTesting

@testable import TributaryObservability

/// A page added through ``HTTPRoutes`` is served by the same endpoint as `/metrics`.
@Suite struct HTTPRoutesTests {
    @Test func anAddedPageIsServedBesideTheEndpointsOwn() async throws {
        var routes = HTTPRoutes()
        routes.add { router in
            router.get("console") { _, _ in "the console" }
        }
        let logger = Logger(label: "test.http-routes")
        let (ports, portFeed) = AsyncStream.makeStream(of: Int?.self)
        let endpoint = HTTPEndpoint.application(
            host: "127.0.0.1", port: 0, registry: PrometheusCollectorRegistry(), readiness: Readiness(), routes: routes, logger: logger,
            onRunning: { portFeed.yield($0) })
        let group = ServiceGroup(services: [endpoint], logger: logger)
        try await withThrowingTaskGroup { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next() ?? nil)
            let page = try await HTTPProbe.get("http://127.0.0.1:\(port)/console")
            #expect(page.status == 200)
            #expect(page.body == "the console")
            let health = try await HTTPProbe.get("http://127.0.0.1:\(port)/healthz")
            #expect(health.status == 200)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}
