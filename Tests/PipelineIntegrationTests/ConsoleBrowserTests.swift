import Foundation
import Testing
import TributaryClient
import TributaryCore
import TributaryTestSupport
import TributaryTesting

/// The console in headless Chromium: `Tests/Browser/console_suite.py` drives it through
/// selenium against this pipeline (sign-in for each role and a bad token, live progress and
/// grid of a 2,000-batch experiment, cancel from the page, retry of a tolerated failure to
/// full coverage, refused POSTs) and saves a screenshot of each page.
@Suite(.serialized, TestBroker.required, BrowserPython.required)
struct ConsoleBrowserTests {
    static let python = BrowserPython.path

    @Test func theConsoleWorksInARealBrowser() async throws {
        try await withPipeline { harness in
            let flag = "\(harness.directory)/fail-tolerated-3"
            try "".write(toFile: flag, atomically: true, encoding: .utf8)
            let analyser = try harness.script(
                "failing-analyser.sh",
                """
                input=$(cat)
                if [ -f '\(flag)' ] && printf '%s' "$input" | grep -q '"tolerated-3"'; then echo "failing on purpose while \(flag) exists" >&2; exit 65; fi
                printf '%s' "$input" | exec python3 '\(Repository.path("Deploy/analysers/phrase_counter.py"))'
                """)
            try harness.startPipeline(analysers: 1, analyserConcurrency: 1)
            try harness.startAnalyser(1, concurrency: 2, arguments: ["--analyser-command", analyser])
            try await harness.waitUntilReady()
            let (_, browser) = try await ConsoleEndToEndTests.startConsole(harness)
            defer { Task { await browser.close() } }

            let specs = "\(harness.directory)/specs"
            try FileManager.default.createDirectory(atPath: specs, withIntermediateDirectories: true)
            var tolerated = Corpus.spec(name: "tolerated", documents: 6, batchSize: 1)
            tolerated.analyser = AnalyserSettings(kind: .external)
            tolerated.tolerateFailedBatches = .count(1)
            for (name, spec) in [("big.json", Corpus.spec(name: "big", documents: 2_000, batchSize: 1)), ("tolerated.json", tolerated)] {
                try Data(try MessageCoding.encode(spec)).write(to: URL(fileURLWithPath: "\(specs)/\(name)"))
            }
            let screenshots = ProcessInfo.processInfo.environment["TRIBUTARY_BROWSER_SCREENSHOTS"] ?? "\(harness.directory)/screenshots"
            try FileManager.default.createDirectory(atPath: screenshots, withIntermediateDirectories: true)
            let suite = try harness.runProgram(
                try #require(Self.python), [Repository.path("Tests/Browser/console_suite.py")],
                environment: [
                    "CONSOLE": browser.base, "TRIBUTARY": "\(PipelineHarness.binDirectory)/tributary", "AMQP_URL": harness.brokerURL,
                    "NAMESPACE": harness.topology.namespace, "SPECS": specs, "SAMPLE": Repository.path("Deploy/sample/hope-and-fear"), "FAIL_FLAG": flag,
                    "SCREENSHOTS": screenshots,
                ])
            #expect(try await suite.waitForExit(within: .seconds(400)) == 0, "\(suite.log)")
            #expect(suite.log.contains("browser suite: all checks passed"), "\(suite.log)")
        }
    }
}

/// A Python with selenium, and Chromium beside it, for the browser suite.
enum BrowserPython {
    static let path = ProcessInfo.processInfo.environment["TRIBUTARY_TEST_BROWSER"].flatMap { $0.isEmpty || $0 == "no" ? nil : $0 }

    static var required: ConditionTrait {
        .enabled(if: path != nil, "needs TRIBUTARY_TEST_BROWSER: a Python with selenium (Deploy/local/test.sh installs it and Chromium)")
    }
}
