/// One text of a corpus, with the metadata used for group comparisons.
///
/// The text travels either in the message (`text`) or, for corpora larger than a message,
/// as the address of a blob in the content store (`text_ref`, with its size in
/// `text_bytes`); the worker that needs the words reads them from the store.
public struct Document: Sendable, Hashable, Codable {
    public var id: String
    /// The text; empty while it is only referenced (``textRef``) and not yet loaded.
    public var text: String
    public var metadata: [String: String]
    /// `sha256:<hex>` of the text in the content store, when it is not carried inline.
    public var textRef: String?
    /// The UTF-8 size of the referenced text (batch planning needs sizes, not words).
    public var textBytes: Int?

    public init(id: String, text: String, metadata: [String: String] = [:]) {
        self.id = id
        self.text = text
        self.metadata = metadata
    }

    /// A document whose text is in the content store.
    public init(id: String, textRef: String, textBytes: Int, metadata: [String: String] = [:]) {
        self.id = id
        self.text = ""
        self.textRef = textRef
        self.textBytes = textBytes
        self.metadata = metadata
    }

    /// The text's size in bytes, whether carried or referenced.
    public var size: Int { textRef != nil ? textBytes ?? 0 : text.utf8.count }

    enum CodingKeys: String, CodingKey { case id, text, metadata, textRef, textBytes }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        textRef = try container.decodeIfPresent(String.self, forKey: .textRef)
        if textRef != nil {
            text = try container.decodeIfPresent(String.self, forKey: .text) ?? ""
            textBytes = try container.decode(Int.self, forKey: .textBytes)
        } else {
            text = try container.decode(String.self, forKey: .text)
        }
        metadata = try container.decodeIfPresent([String: String].self, forKey: .metadata) ?? [:]
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(metadata, forKey: .metadata)
        if let textRef, text.isEmpty {
            try container.encode(textRef, forKey: .textRef)
            try container.encodeIfPresent(textBytes, forKey: .textBytes)
        } else {
            try container.encode(text, forKey: .text)
        }
    }
}
