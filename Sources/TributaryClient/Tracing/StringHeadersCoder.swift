import Instrumentation

/// Propagation values as plain strings, the form the orchestrator stores with an experiment.
struct StringHeadersCoder: Injector, Extractor {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        carrier[key] = value
    }

    func extract(key: String, from carrier: [String: String]) -> String? {
        carrier[key]
    }
}
