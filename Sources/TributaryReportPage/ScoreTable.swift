/// scores.csv read back: the per-document values the distributions are drawn from. The
/// report holds only summaries; the table holds every document.
struct ScoreTable: Sendable {
    var header: [String]
    var rows: [[String]]

    init(csv: String) {
        var records = Self.records(csv)
        header = records.isEmpty ? [] : records.removeFirst()
        rows = records.filter { $0 != [""] }
    }

    /// A column's fields, or nil if the table has no such column.
    func column(_ name: String) -> [String]? {
        guard let index = header.firstIndex(of: name) else { return nil }
        return rows.map { index < $0.count ? $0[index] : "" }
    }

    /// The values of `variable`: a dimension's raw score, else a derived metric, each
    /// document's with its id and group (empty without one); documents without a value are left out.
    func values(of variable: String, groupBy field: String?) -> [(id: String, group: String, value: Double)] {
        guard let ids = column("id"), let fields = column("\(variable)_raw_score") ?? column(variable) else { return [] }
        let groups = field.flatMap { column($0) } ?? Array(repeating: "", count: ids.count)
        return zip(zip(ids, groups), fields).compactMap { pair, field in
            Double(field).flatMap { $0.isFinite ? (pair.0, pair.1, $0) : nil }
        }
    }

    /// RFC 4180 records: fields are quoted when they hold a comma, quote or line break, and a
    /// quote inside is doubled.
    static func records(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var characters = text.makeIterator()
        var pending = characters.next()
        while let character = pending {
            pending = characters.next()
            if quoted {
                if character == "\"" {
                    if pending == "\"" {
                        field.append("\"")
                        pending = characters.next()
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"": quoted = true
            case ",":
                record.append(field)
                field = ""
            case "\n", "\r\n":
                record.append(field)
                records.append(record)
                (record, field) = ([], "")
            default: field.append(character)
            }
        }
        if !field.isEmpty || !record.isEmpty { records.append(record + [field]) }
        return records
    }
}
