/// A sentence that matched a marker phrase, located by code-point offsets in the document.
public struct Evidence: Sendable, Hashable, Codable {
    public var sentence: String
    public var start: Int
    public var end: Int
    public var phrase: String

    public init(sentence: String, start: Int, end: Int, phrase: String) {
        self.sentence = sentence
        self.start = start
        self.end = end
        self.phrase = phrase
    }
}
