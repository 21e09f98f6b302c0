import COpenSSL

/// RSASSA-PKCS1-v1_5 with SHA-256 (JWT's RS256) through OpenSSL's EVP interface.
public enum RS256 {
    public enum KeyError: Error, Equatable, Sendable {
        /// The PEM text is not a key OpenSSL can read.
        case unreadable(String)
        case signingFailed
    }

    /// Signs `message` with the private key in `pem` (PKCS#1 or PKCS#8).
    public static func sign(_ message: [UInt8], privateKeyPEM pem: String) throws(KeyError) -> [UInt8] {
        guard let key = readKey(pem, isPrivate: true) else { throw .unreadable(openSSLError()) }
        defer { EVP_PKEY_free(key) }
        guard let context = EVP_MD_CTX_new() else { throw .signingFailed }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, EVP_sha256(), nil, key) == 1 else { throw .signingFailed }
        var length = 0
        guard EVP_DigestSign(context, nil, &length, message, message.count) == 1 else { throw .signingFailed }
        var signature = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSign(context, &signature, &length, message, message.count) == 1 else { throw .signingFailed }
        return Array(signature.prefix(length))
    }

    /// True when `signature` is a valid RS256 signature of `message` under the public key in `pem`.
    public static func verify(_ signature: [UInt8], of message: [UInt8], publicKeyPEM pem: String) -> Bool {
        guard let key = readKey(pem, isPrivate: false) else { return false }
        defer { EVP_PKEY_free(key) }
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, EVP_sha256(), nil, key) == 1 else { return false }
        return EVP_DigestVerify(context, signature, signature.count, message, message.count) == 1
    }

    /// A new 2048-bit key pair as PEM (private PKCS#8, public SubjectPublicKeyInfo), for tests and the demo.
    public static func generateKeyPair() -> (privateKey: String, publicKey: String)? {
        guard let key = tinybug_rsa_generate(2048) else { return nil }
        defer { EVP_PKEY_free(key) }
        guard let privatePEM = pem({ PEM_write_bio_PrivateKey($0, key, nil, nil, 0, nil, nil) }),
            let publicPEM = pem({ PEM_write_bio_PUBKEY($0, key) })
        else { return nil }
        return (privatePEM, publicPEM)
    }

    private static func readKey(_ pem: String, isPrivate: Bool) -> OpaquePointer? {
        let bytes = Array(pem.utf8)
        return bytes.withUnsafeBytes { buffer -> OpaquePointer? in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            return isPrivate ? PEM_read_bio_PrivateKey(bio, nil, nil, nil) : PEM_read_bio_PUBKEY(bio, nil, nil, nil)
        }
    }

    private static func pem(_ write: (OpaquePointer) -> Int32) -> String? {
        guard let bio = BIO_new(BIO_s_mem()) else { return nil }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else { return nil }
        var pointer: UnsafeMutablePointer<CChar>? = nil
        let length = BIO_ctrl(bio, BIO_CTRL_INFO, 0, &pointer)
        guard let pointer, length > 0 else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: Int(length)), as: UTF8.self)
    }

    private static func openSSLError() -> String {
        let code = ERR_get_error()
        guard code != 0 else { return "no key found" }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
