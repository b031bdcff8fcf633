/// A strict, validating scan of a JSON object that builds no tree: it checks the whole
/// document against the JSON grammar (RFC 8259, UTF-8) and returns where each top-level
/// member's key and value lie. The orchestrator reads a result's envelope from these ranges
/// and keeps the `result` value as the bytes it came in.
struct JSONMembers {
    struct Member {
        /// The key's bytes between its quotes, escapes not resolved.
        var key: Range<Int>
        var keyHasEscapes: Bool
        var value: Range<Int>
    }

    private(set) var members: [Member] = []
    /// The top-level array's elements, when the document is an array.
    private var elements: [Range<Int>] = []
    private let bytes: [UInt8]
    private var index = 0

    /// Nil unless `bytes` is exactly one well-formed JSON object (surrounding whitespace allowed).
    init?(_ bytes: [UInt8]) {
        self.bytes = bytes
        guard (try? scanDocument(opening: UInt8(ascii: "{"))) != nil else { return nil }
    }

    private init(scanning bytes: [UInt8]) { self.bytes = bytes }

    /// The byte ranges of the elements of a JSON array, after a full grammar check of the
    /// whole document; nil unless `bytes` is exactly one well-formed array.
    static func arrayElements(_ bytes: [UInt8]) -> [Range<Int>]? {
        var scanner = JSONMembers(scanning: bytes)
        guard (try? scanner.scanDocument(opening: UInt8(ascii: "["))) != nil else { return nil }
        return scanner.elements
    }

    private struct Invalid: Error {}

    /// One value, an object or an array as `opening` says, and nothing else but whitespace.
    private mutating func scanDocument(opening: UInt8) throws(Invalid) {
        skipWhitespace()
        guard peek() == opening else { throw Invalid() }
        try scanValue(depth: 1)
        skipWhitespace()
        guard index == bytes.count else { throw Invalid() }
    }

    /// The value range of the member whose key is exactly `key` (no escapes).
    func value(_ key: StaticString) -> Range<Int>? {
        let wanted = UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount)
        for member in members where !member.keyHasEscapes && bytes[member.key].elementsEqual(wanted) { return member.value }
        return nil
    }

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func expect(_ byte: UInt8) throws(Invalid) {
        guard peek() == byte else { throw Invalid() }
        index += 1
    }

    private mutating func skipWhitespace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 { index += 1 }
    }

    /// Deep documents are refused rather than recursed into without bound.
    private static let maximumDepth = 512

    /// A value whose containers are at `depth` (the document's own is 1: its members or
    /// elements are recorded).
    private mutating func scanValue(depth: Int) throws(Invalid) {
        guard depth <= Self.maximumDepth, let byte = peek() else { throw Invalid() }
        switch byte {
        case UInt8(ascii: "\""): _ = try scanString()
        case UInt8(ascii: "{"): try scanContainer(depth: depth, closing: UInt8(ascii: "}"), keyed: true)
        case UInt8(ascii: "["): try scanContainer(depth: depth, closing: UInt8(ascii: "]"), keyed: false)
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: try scanNumber()
        }
    }

    /// An object (`keyed`) or an array from its opening bracket to its closing one.
    private mutating func scanContainer(depth: Int, closing: UInt8, keyed: Bool) throws(Invalid) {
        index += 1
        skipWhitespace()
        if peek() == closing {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            var key: (range: Range<Int>, escapes: Bool)?
            if keyed {
                let keyStart = index + 1
                let escapes = try scanString()
                key = (keyStart..<(index - 1), escapes)
                skipWhitespace()
                try expect(UInt8(ascii: ":"))
                skipWhitespace()
            }
            let valueStart = index
            try scanValue(depth: depth + 1)
            if depth == 1 {
                if let key {
                    members.append(Member(key: key.range, keyHasEscapes: key.escapes, value: valueStart..<index))
                } else {
                    elements.append(valueStart..<index)
                }
            }
            skipWhitespace()
            if peek() == UInt8(ascii: ",") {
                index += 1
                continue
            }
            try expect(closing)
            return
        }
    }

    private mutating func literal(_ word: StaticString) throws(Invalid) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count,
            bytes[index..<(index + count)].elementsEqual(UnsafeBufferPointer(start: word.utf8Start, count: count))
        else { throw Invalid() }
        index += count
    }

    private mutating func scanNumber() throws(Invalid) {
        func digits() -> Int {
            let start = index
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
            return index - start
        }
        if peek() == UInt8(ascii: "-") { index += 1 }
        if peek() == UInt8(ascii: "0") {
            index += 1
        } else {
            guard digits() > 0 else { throw Invalid() }
        }
        if peek() == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw Invalid() }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw Invalid() }
        }
    }

    /// Past the string at `index`, checking escapes, control characters and UTF-8. Returns
    /// whether it had escapes.
    private mutating func scanString() throws(Invalid) -> Bool {
        try expect(UInt8(ascii: "\""))
        var escapes = false
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return escapes
            case UInt8(ascii: "\\"):
                escapes = true
                guard index + 1 < bytes.count else { throw Invalid() }
                switch bytes[index + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
                    UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 2
                case UInt8(ascii: "u"):
                    guard index + 6 <= bytes.count, bytes[(index + 2)..<(index + 6)].allSatisfy(Self.isHexDigit) else { throw Invalid() }
                    index += 6
                default: throw Invalid()
                }
            case 0..<0x20: throw Invalid()
            case 0x20..<0x80: index += 1
            default: try scanUTF8Sequence()
            }
        }
        throw Invalid()
    }

    /// One multi-byte UTF-8 sequence, well-formed as Unicode defines it (no overlongs, no
    /// surrogates, nothing above U+10FFFF).
    private mutating func scanUTF8Sequence() throws(Invalid) {
        let lead = bytes[index]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            high = 0x9F
        case 0xF0:
            length = 4
            low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            high = 0x8F
        default: throw Invalid()
        }
        guard index + length <= bytes.count else { throw Invalid() }
        let second = bytes[index + 1]
        guard second >= low, second <= high else { throw Invalid() }
        for offset in 2..<max(2, length) where bytes[index + offset] & 0xC0 != 0x80 { throw Invalid() }
        index += length
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"): true
        default: false
        }
    }
}
