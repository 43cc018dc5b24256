import CZlib
import Foundation

/// zlib for stored snapshots: JSON compresses about tenfold, and a journal keeps one per distinct market.
enum SnapshotCompression {
    /// The original length (8 bytes, little-endian), then the deflated bytes.
    static func compress(_ data: Data) -> Data {
        var bound = compressBound(uLong(data.count))
        var out = [UInt8](repeating: 0, count: Int(bound))
        let status = data.withUnsafeBytes { raw in
            compress2(&out, &bound, raw.bindMemory(to: Bytef.self).baseAddress, uLong(data.count), Z_BEST_COMPRESSION)
        }
        // compress2 fails only without memory or with a wrong bound, neither of which a caller can fix.
        precondition(status == Z_OK, "zlib compress2 failed: \(status)")
        var length = UInt64(data.count).littleEndian
        return Data(bytes: &length, count: 8) + Data(out.prefix(Int(bound)))
    }

    /// Nil for anything that is not a whole stream this module wrote (a damaged journal).
    static func decompress(_ stored: Data, maxBytes: Int = 512 << 20) -> Data? {
        guard stored.count >= 8 else { return nil }
        let length = stored.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard length <= UInt64(maxBytes) else { return nil }
        var size = uLong(length)
        var out = [UInt8](repeating: 0, count: max(Int(length), 1))
        let body = stored.dropFirst(8)
        let status = body.withUnsafeBytes { raw in
            uncompress(&out, &size, raw.bindMemory(to: Bytef.self).baseAddress, uLong(body.count))
        }
        guard status == Z_OK, size == uLong(length) else { return nil }
        return Data(out.prefix(Int(size)))
    }
}
