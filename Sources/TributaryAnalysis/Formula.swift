/// A derived-metric formula over dimension scores, e.g. `abs(hope - fear)` or `(a + b) / 2`.
///
/// Grammar: numbers, dimension names, `+ - * /`, unary minus, parentheses, and the
/// functions `abs(x)`, `sqrt(x)`, `min(x, y, …)`, `max(x, y, …)`.
public indirect enum Formula: Sendable, Hashable {
    case number(Double)
    case variable(String)
    case negate(Formula)
    case binary(Character, Formula, Formula)
    case call(String, [Formula])

    /// Parses `text`, requiring every name to be one of `variables`.
    public static func parse(_ text: String, variables: Set<String>) throws(FormulaError) -> Formula {
        var parser = FormulaParser(text: text, variables: variables)
        let formula = try parser.expression()
        parser.skipSpaces()
        guard parser.atEnd else { throw parser.error("unexpected '\(parser.current!)'") }
        return formula
    }

    /// The value for the given variable values; nil where undefined (division by zero, sqrt of a negative).
    public func evaluate(_ values: [String: Double]) -> Double? {
        switch self {
        case .number(let value): return value
        case .variable(let name): return values[name]
        case .negate(let inner): return inner.evaluate(values).map { -$0 }
        case .binary(let op, let left, let right):
            guard let l = left.evaluate(values), let r = right.evaluate(values) else { return nil }
            switch op {
            case "+": return l + r
            case "-": return l - r
            case "*": return l * r
            default: return r == 0 ? nil : l / r
            }
        case .call(let name, let arguments):
            let values = arguments.compactMap { $0.evaluate(values) }
            guard values.count == arguments.count, let first = values.first else { return nil }
            switch name {
            case "abs": return abs(first)
            case "sqrt": return first < 0 ? nil : first.squareRoot()
            case "min": return values.min()
            default: return values.max()
            }
        }
    }
}

/// What is wrong with a formula, and where.
public struct FormulaError: Error, Sendable, Hashable, CustomStringConvertible {
    public var formula: String
    public var position: Int
    public var message: String
    public var description: String { "\(message) at position \(position) in '\(formula)'" }
}

private struct FormulaParser {
    let text: String
    let characters: [Character]
    let variables: Set<String>
    var index = 0

    static let arity: [String: ClosedRange<Int>] = ["abs": 1...1, "sqrt": 1...1, "min": 1...64, "max": 1...64]

    init(text: String, variables: Set<String>) {
        self.text = text
        self.characters = Array(text)
        self.variables = variables
    }

    var atEnd: Bool { index >= characters.count }
    var current: Character? { atEnd ? nil : characters[index] }

    func error(_ message: String) -> FormulaError { FormulaError(formula: text, position: index, message: message) }

    mutating func skipSpaces() { while let c = current, c.isWhitespace { index += 1 } }

    mutating func expression() throws(FormulaError) -> Formula {
        var left = try term()
        while true {
            skipSpaces()
            guard let op = current, op == "+" || op == "-" else { return left }
            index += 1
            left = .binary(op, left, try term())
        }
    }

    mutating func term() throws(FormulaError) -> Formula {
        var left = try factor()
        while true {
            skipSpaces()
            guard let op = current, op == "*" || op == "/" else { return left }
            index += 1
            left = .binary(op, left, try factor())
        }
    }

    mutating func factor() throws(FormulaError) -> Formula {
        skipSpaces()
        if current == "-" {
            index += 1
            return .negate(try factor())
        }
        return try primary()
    }

    mutating func primary() throws(FormulaError) -> Formula {
        skipSpaces()
        guard let c = current else { throw error("expression ends too early") }
        if c == "(" {
            index += 1
            let inner = try expression()
            skipSpaces()
            guard current == ")" else { throw error("missing ')'") }
            index += 1
            return inner
        }
        if c.isNumber || c == "." {
            let start = index
            while let d = current, d.isNumber || d == "." { index += 1 }
            guard let value = Double(String(characters[start..<index])) else { throw error("bad number") }
            return .number(value)
        }
        if c.isLetter || c == "_" {
            let start = index
            while let d = current, d.isLetter || d.isNumber || d == "_" { index += 1 }
            let name = String(characters[start..<index])
            skipSpaces()
            if current == "(" {
                guard let arity = Self.arity[name] else { throw FormulaError(formula: text, position: start, message: "unknown function '\(name)'") }
                index += 1
                var arguments: [Formula] = []
                skipSpaces()
                if current != ")" {
                    arguments.append(try expression())
                    skipSpaces()
                    while current == "," {
                        index += 1
                        arguments.append(try expression())
                        skipSpaces()
                    }
                }
                guard current == ")" else { throw error("missing ')' after arguments of \(name)") }
                index += 1
                guard arity.contains(arguments.count) else {
                    throw FormulaError(
                        formula: text, position: start,
                        message:
                            "\(name) takes \(arity.lowerBound == arity.upperBound ? "\(arity.lowerBound)" : "at least \(arity.lowerBound)") argument(s), got \(arguments.count)"
                    )
                }
                return .call(name, arguments)
            }
            guard variables.contains(name) else {
                throw FormulaError(formula: text, position: start, message: "unknown dimension '\(name)'")
            }
            return .variable(name)
        }
        throw error("unexpected '\(c)'")
    }
}
