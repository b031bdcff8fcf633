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
    /// replicates, columns the documents, NaN where a replicate is missing.
    package static func alphas(replicatesCSV path: String, dimensions: [String]) throws -> [String: Double?] {
        let script = """
            import csv, json, sys, numpy, krippendorff
            rows = list(csv.DictReader(open(sys.argv[1])))
            ids = sorted({r["id"] for r in rows})
            replicates = sorted({int(r["replicate"]) for r in rows})
            result = {}
            for dimension in sys.argv[2:]:
                data = numpy.full((len(replicates), len(ids)), numpy.nan)
                for r in rows:
                    if r[dimension + "_raw_score"]:
                        data[replicates.index(int(r["replicate"])), ids.index(r["id"])] = float(r[dimension + "_raw_score"])
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
        process.arguments = ["-c", script, path] + dimensions
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
