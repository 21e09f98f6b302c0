import COpenSSL

/// SHA-256 digests computed by OpenSSL.
public enum SHA256 {
    /// The 32-byte digest of `bytes`.
    public static func digest<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            _ = COpenSSL.SHA256(buffer.baseAddress, buffer.count, &out)
        }
        if done == nil {
            let copy = Array(bytes)
            copy.withUnsafeBufferPointer { buffer in _ = COpenSSL.SHA256(buffer.baseAddress, buffer.count, &out) }
        }
        return out
    }

    /// The lowercase hex digest of `bytes`.
    public static func hex<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        Hex.encode(digest(bytes))
    }
}

/// HMAC computed by OpenSSL.
public enum HMAC {
    /// HMAC-SHA256 of `message` under `key`. The message is read in place when it is contiguous
    /// (arrays, `Data`), so a large webhook body is not copied.
    public static func sha256<Key: Collection<UInt8>, Message: Collection<UInt8>>(
        key: Key, _ message: Message
    ) -> [UInt8] {
        let keyBytes = Array(key)
        if let mac = message.withContiguousStorageIfAvailable({ sha256(keyBytes, $0) }) { return mac }
        return Array(message).withUnsafeBufferPointer { sha256(keyBytes, $0) }
    }

    private static func sha256(_ key: [UInt8], _ message: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        key.withUnsafeBytes { keyBuffer in
            _ = COpenSSL.HMAC(
                EVP_sha256(), keyBuffer.baseAddress, Int32(keyBuffer.count), message.baseAddress, message.count, &out,
                &length)
        }
        return Array(out.prefix(Int(length)))
    }
}

/// Comparison that takes the same time whatever the bytes, for MACs and tokens.
public enum ConstantTime {
    /// True when both byte sequences are equal; never short-circuits on content.
    public static func equals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        if lhs.isEmpty { return true }
        return lhs.withUnsafeBytes { left in
            rhs.withUnsafeBytes { right in
                CRYPTO_memcmp(left.baseAddress, right.baseAddress, left.count) == 0
            }
        }
    }

    /// True when both strings are byte-for-byte equal.
    public static func equals(_ lhs: String, _ rhs: String) -> Bool {
        equals(Array(lhs.utf8), Array(rhs.utf8))
    }
}
