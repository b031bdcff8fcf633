/// Counts words: maximal runs of letters and digits (Unicode-aware), apostrophes inside a word allowed.
public enum WordCounter {
    public static func count(_ text: String) -> Int {
        var count = 0
        var inWord = false
        for character in text {
            let isWordCharacter = character.isLetter || character.isNumber || (inWord && (character == "'" || character == "’"))
            if isWordCharacter && !inWord { count += 1 }
            inWord = isWordCharacter
        }
        return count
    }
}
