#if canImport(Glibc)
import Glibc
#endif

/// Owns the C memory a launch description points into. The container child reads these
/// blocks after fork (its copy of our address space), so they must stay valid until the
/// launch call returns; `deinit` frees them all at once. Not Sendable: it lives and dies
/// within one call on one thread.
final class CArena {
    private var blocks: [UnsafeMutableRawPointer] = []

    deinit {
        for block in blocks { free(block) }
    }

    func string(_ value: String) -> UnsafePointer<CChar> {
        guard let copy = strdup(value) else { fatalError("out of memory copying a launch description") }
        blocks.append(UnsafeMutableRawPointer(copy))
        return UnsafePointer(copy)
    }

    func optionalString(_ value: String?) -> UnsafePointer<CChar>? {
        value.map { string($0) }
    }

    /// A NULL-terminated `const char *const *`.
    func strings(_ values: [String]) -> UnsafePointer<UnsafePointer<CChar>?> {
        let array = allocate(UnsafePointer<CChar>?.self, count: values.count + 1)
        for (i, value) in values.enumerated() { array[i] = string(value) }
        array[values.count] = nil
        return UnsafePointer(array)
    }

    func array<T>(_ values: [T]) -> UnsafePointer<T>? {
        if values.isEmpty { return nil }
        let array = allocate(T.self, count: values.count)
        for (i, value) in values.enumerated() { (array + i).initialize(to: value) }
        return UnsafePointer(array)
    }

    func bytes(_ values: [UInt8]) -> UnsafeRawPointer? {
        array(values).map { UnsafeRawPointer($0) }
    }

    private func allocate<T>(_: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        guard let raw = malloc(max(1, count * MemoryLayout<T>.stride)) else {
            fatalError("out of memory laying out a launch description")
        }
        blocks.append(raw)
        return raw.bindMemory(to: T.self, capacity: count)
    }
}
