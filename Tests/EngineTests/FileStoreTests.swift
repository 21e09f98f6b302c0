import Engine
import Foundation
import Testing

struct FileStoreTests {
    @Test func `writes leave no temporary files behind and store the bytes as given`() async throws {
        let root = TemporaryFolder.make()
        let store = try FileStore(root: root)
        let k = try key("tenants/acme/workflows/w1.json")
        let v1 = try await store.create(k, Data("{\"a\":1}".utf8))
        _ = try await store.replace(k, Data("{\"a\":2}".utf8), ifMatch: v1)
        let folder = "\(root)/tenants/acme/workflows"
        let names = try FileManager.default.contentsOfDirectory(atPath: folder)
        #expect(names.filter { $0.hasPrefix(".tmp-") }.isEmpty)
        #expect(FileManager.default.contents(atPath: "\(folder)/w1.json") == Data("{\"a\":2}".utf8))
    }

    @Test func `an empty marker is made in place, in a new folder too, and putting it again or over content is safe`()
        async throws
    {
        let root = TemporaryFolder.make()
        let store = try FileStore(root: root)
        let marker = try key("timers/202612020101/acme/w1")
        try await store.put(marker, Data())
        try await store.put(marker, Data())
        #expect(try await store.read(marker)?.data == Data())
        let names = try FileManager.default.contentsOfDirectory(atPath: "\(root)/timers/202612020101/acme")
        #expect(names == ["w1"])
        let document = try key("tenants/acme/workflows/w1.json")
        try await store.put(document, Data("{}".utf8))
        try await store.put(document, Data("{\"a\":1}".utf8))
        #expect(try await store.read(document)?.data == Data("{\"a\":1}".utf8))
    }

    @Test func `the version is a hash of the content`() async throws {
        let a = try FileStore(root: TemporaryFolder.make())
        let b = try FileStore(root: TemporaryFolder.make())
        let k = try key("tenants/acme/workflows/w1.json")
        #expect(try await a.create(k, Data("same".utf8)) == (try await b.create(k, Data("same".utf8))))
    }

    @Test func `two stores on one folder see each other's writes and conflicts`() async throws {
        let root = TemporaryFolder.make()
        let first = try FileStore(root: root)
        let second = try FileStore(root: root)
        let k = try key("tenants/acme/workflows/w1.json")
        let v1 = try await first.create(k, Data("1".utf8))
        _ = try await second.replace(k, Data("2".utf8), ifMatch: v1)
        await #expect(throws: StoreError.self) { try await first.replace(k, Data("3".utf8), ifMatch: v1) }
    }
}
