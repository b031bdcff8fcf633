/// Edits of encoded messages that the orchestrator makes on their bytes. Each stands in for a
/// decode and re-encode that cost more than the rest of its step, and each relies on the
/// canonical encoding (sorted keys, no whitespace) of ``MessageCoding``; where that shape is
/// not there it falls back to the decoder or fails, never guesses.
package enum TaskBodyEdit {
    /// Puts the stored batch results, already canonical JSON, into the encoded synthesis task's
    /// empty `batch_results` array: decoding and re-encoding them all would double the JSON
    /// work of a fan-in. The key can only occur once, as a key: inside strings its quotes are escaped.
    package static func splicing(_ results: [[UInt8]], into encoded: [UInt8]) throws -> [UInt8] {
        let marker = Array(#""batch_results":[]"#.utf8)
        guard let start = encoded.firstRange(of: marker)?.lowerBound else {
            throw ContractError(.malformed, "encoded synthesis task has no empty batch_results")
        }
        var body = Array(encoded[..<start])
        body.reserveCapacity(encoded.count + results.reduce(0) { $0 + $1.count + 1 })
        body += Array(#""batch_results":["#.utf8)
        for (index, result) in results.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body += result
        }
        body.append(UInt8(ascii: "]"))
        body += encoded[(start + marker.count)...]
        return body
    }

    /// The stored task with another attempt number. Sorted keys put `attempt` first, so this is
    /// a prefix swap, not a decode and re-encode of the batch's documents.
    package static func rewritingAttempt(of planned: [UInt8], to attempt: Int) throws -> [UInt8] {
        let prefix = Array(#"{"attempt":1,"#.utf8)
        guard attempt != 1 else { return planned }
        guard planned.starts(with: prefix) else {
            var task = try MessageCoding.decode(TaskMessage.self, from: planned)
            task.attempt = attempt
            return try MessageCoding.encode(task)
        }
        return Array(#"{"attempt":\#(attempt),"#.utf8) + planned[prefix.count...]
    }

    /// A stored experiment spec with its documents cut out: the synthesis needs the framework,
    /// not the corpus, and decoding 5,000 documents was most of a fan-in.
    package static func strippingDocuments(ofSpec bytes: [UInt8]) -> [UInt8] {
        guard let object = JSONMembers(bytes), let range = object.value("documents") else { return bytes }
        var stripped = bytes
        stripped.replaceSubrange(range, with: Array("[]".utf8))
        return stripped
    }
}
