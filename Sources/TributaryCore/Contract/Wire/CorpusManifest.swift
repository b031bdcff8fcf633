import Foundation

/// A corpus manifest kept as the bytes it was stored in, indexed by document id.
///
/// Planning a 100,000-document corpus needs each batch's documents as JSON, not as values:
/// decoding the manifest into documents and a dictionary of them cost the orchestrator more
/// memory than everything else it holds. The manifest is checked against the JSON grammar
/// once, each element's id is read, and a batch's documents are the elements' own bytes.
struct CorpusManifest {
    private let bytes: [UInt8]
    private let ranges: [String: Range<Int>]

    init(_ bytes: [UInt8]) throws(ContractError) {
        guard let elements = JSONMembers.arrayElements(bytes) else {
            throw ContractError(.malformed, "the corpus manifest is not a well-formed JSON array")
        }
        var ranges: [String: Range<Int>] = [:]
        ranges.reserveCapacity(elements.count)
        for (position, range) in elements.enumerated() {
            let element = Array(bytes[range])
            guard let idRange = JSONMembers(element)?.value("id"), let id = Self.string(Array(element[idRange])) else {
                throw ContractError(.malformed, "corpus manifest entry \(position) has no string 'id'")
            }
            if ranges[id] == nil { ranges[id] = range }
        }
        self.bytes = bytes
        self.ranges = ranges
    }

    func contains(_ id: String) -> Bool { ranges[id] != nil }

    /// Every document's id, in manifest order.
    var ids: [String] { ranges.sorted { $0.value.lowerBound < $1.value.lowerBound }.map(\.key) }

    /// The named documents as a JSON array, in the order given (unknown ids are skipped).
    func encodedArray(of ids: [String]) -> [UInt8] {
        var array: [UInt8] = [UInt8(ascii: "[")]
        for range in ids.compactMap({ ranges[$0] }) {
            if array.count > 1 { array.append(UInt8(ascii: ",")) }
            array += bytes[range]
        }
        array.append(UInt8(ascii: "]"))
        return array
    }

    private static func string(_ json: [UInt8]) -> String? {
        guard json.first == UInt8(ascii: "\"") else { return nil }
        if !json.contains(UInt8(ascii: "\\")), json.count >= 2 { return String(decoding: json.dropFirst().dropLast(), as: UTF8.self) }
        return try? JSONDecoder().decode(String.self, from: Data(json))
    }
}
