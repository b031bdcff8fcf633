import Foundation
import Testing

/// A Python with the `krippendorff` package, to check the report's alpha against the reference
/// implementation rather than against a second copy of ours. `Deploy/local/test.sh` makes one.
package enum TestPython {
    package static let path: String? = ProcessInfo.processInfo.environment["TRIBUTARY_TEST_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }

    package static var required: ConditionTrait {
        .enabled(if: path != nil, "needs a Python with krippendorff: set TRIBUTARY_TEST_PYTHON (Deploy/local/test.sh does)")
    }

    /// Krippendorff's alpha (interval) per dimension, from a `replicates.csv`: rows the
    /// replicates, columns the (document, model) pairs, NaN where a replicate is missing; or,
    /// `acrossModels`, rows the models and columns the documents, each value the mean of
    /// that model's replicates.
    package static func alphas(replicatesCSV path: String, dimensions: [String], acrossModels: Bool = false) throws -> [String: Double?] {
        let script = """
            import csv, json, sys, numpy, krippendorff
            rows = list(csv.DictReader(open(sys.argv[1])))
            across_models = sys.argv[2] == "models"
            units = sorted({r["id"] if across_models else (r["id"], r["model"]) for r in rows})
            coders = sorted({r["model"] if across_models else int(r["replicate"]) for r in rows})
            result = {}
            for dimension in sys.argv[3:]:
                sums = {}
                for r in rows:
                    if r[dimension + "_raw_score"]:
                        unit = r["id"] if across_models else (r["id"], r["model"])
                        coder = r["model"] if across_models else int(r["replicate"])
                        sums.setdefault((coders.index(coder), units.index(unit)), []).append(float(r[dimension + "_raw_score"]))
                data = numpy.full((len(coders), len(units)), numpy.nan)
                for (coder, unit), values in sums.items():
                    data[coder, unit] = sum(values) / len(values)
                try:
                    value = float(krippendorff.alpha(reliability_data=data, level_of_measurement="interval"))
                except Exception:
                    value = None
                result[dimension] = None if value is None or value != value else value
            print(json.dumps(result))
            """
        guard let python = Self.path else { throw TestPythonError(message: "TRIBUTARY_TEST_PYTHON is not set") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script, path, acrossModels ? "models" : "replicates"] + dimensions
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let problems = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestPythonError(message: "python exited \(process.terminationStatus): \(String(decoding: problems, as: UTF8.self))")
        }
        return try JSONDecoder().decode([String: Double?].self, from: data)
    }
}

package struct TestPythonError: Error, CustomStringConvertible {
    package var message: String
    package var description: String { message }
}
