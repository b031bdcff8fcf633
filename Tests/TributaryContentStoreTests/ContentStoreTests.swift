import Foundation
import Testing

@testable import TributaryContentStore

@Suite struct ContentStoreTests {
    func temporaryStore() -> ContentStore {
        ContentStore(root: FileManager.default.temporaryDirectory.appendingPathComponent("content-\(UUID().uuidString)").path)
    }

    /// FIPS 180-4 examples, and lengths around the 55/56/64-byte padding edges.
    @Test func sha256MatchesKnownDigests() {
        #expect(SHA256.hex(of: []) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(of: Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            SHA256.hex(of: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex(of: [UInt8](repeating: 0x61, count: 1_000_000)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func incrementalHashingEqualsOneShot() {
        let bytes = (0..<1_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        for split in [0, 1, 55, 56, 63, 64, 65, 127, 500, 999] {
            var hasher = SHA256()
            hasher.update(bytes[..<split])
            hasher.update(bytes[split...])
            #expect(hasher.hexDigest() == SHA256.hex(of: bytes), "split at \(split)")
        }
    }

    @Test func storedBytesComeBackUnderTheirAddress() throws {
        let store = temporaryStore()
        let address = try store.put(Array("hello".utf8))
        #expect(address.description == "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        #expect(try store.get(address) == Array("hello".utf8))
        #expect(try store.put(Array("hello".utf8)) == address)  // storing again is harmless
        let streamed = try ContentWriter(store: store)
        try streamed.append(Array("he".utf8))
        try streamed.append(Array("llo".utf8))
        #expect(try streamed.commit() == address)
    }

    @Test func missingAndCorruptBlobsAreNamed() throws {
        let store = temporaryStore()
        let address = try store.put(Array("text".utf8))
        try Data("tampered".utf8).write(to: URL(fileURLWithPath: store.path(of: address)))
        let corrupt = #expect(throws: ContentStoreError.self) { try store.get(address) }
        #expect(corrupt?.code == .corrupt)
        let missing = #expect(throws: ContentStoreError.self) { try store.get(ContentAddress.of(Array("other".utf8))) }
        #expect(missing?.code == .notFound)
        #expect(throws: ContentStoreError.self) { try ContentAddress(parsing: "sha256:../../etc/passwd") }
        #expect(throws: ContentStoreError.self) { try ContentAddress(parsing: "md5:" + String(repeating: "a", count: 64)) }
    }
}
