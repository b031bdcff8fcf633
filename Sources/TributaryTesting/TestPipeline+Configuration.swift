extension TestPipeline {
    /// What a test pipeline runs, and where.
    public struct Configuration: Sendable {
        /// Where the orchestrator keeps its state.
        public enum Store: Sendable, Equatable {
            /// A SQLite file in the pipeline's own temporary folder.
            case sqlite
            /// A PostgreSQL database (a URI with its password), given as `TRIBUTARY_DATABASE_URL`;
            /// any number of orchestrators may share it.
            case postgres(url: String)
        }

        /// The broker; nil finds or starts one (``LocalBroker/url(startingWithin:)``).
        public var brokerURL: String?
        /// Where the service executables are: nil is `TRIBUTARY_BIN_DIR`, else the folder of
        /// the test binary or one of its parents (where `swift build` puts them).
        public var executablesDirectory: String?
        /// Analyse agents ``TestPipeline/start()`` runs as executables.
        public var analysers = 2
        /// Tasks each analyse agent handles at once.
        public var analyserConcurrency = 2
        /// A program each analyse agent runs for the `external` analyser kind, and its
        /// arguments (`--analyser-command`, `--analyser-argument`; see Docs/analysers.md).
        public var analyserCommand: [String]?
        /// Seconds the analyser command may take per task.
        public var analyserTimeout: Int?
        /// A Chat Completions endpoint for the `llm` analyser kind (`--llm-base-url`), given to
        /// the analysers and to the pre-test agent, which runs the pilot.
        public var languageModelURL: String?
        public var store: Store = .sqlite
        /// Arguments added to every service's command line (for example `--log-format json`).
        public var serviceArguments: [String] = []
        /// Arguments added to the orchestrator's command line.
        public var orchestratorArguments: [String] = []
        /// Arguments added to every analyse agent's command line.
        public var analyserArguments: [String] = []
        /// Set in every service's environment, over the test process's own.
        public var serviceEnvironment: [String: String] = [:]
        /// Services reach the broker through proxies the test can cut
        /// (``TestPipeline/cutBrokerConnection(of:)``); the test's own client connects directly.
        public var brokerProxies = false
        /// How long ``TestPipeline/start()`` and ``TestPipeline/waitUntilReady(within:)`` wait for readiness.
        public var readinessTimeout: Duration = .seconds(60)

        public init() {}
    }
}
