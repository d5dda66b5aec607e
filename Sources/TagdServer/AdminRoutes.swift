import Foundation
import Hummingbird
import NIOCore
import TagRuntime
import TagdJSON

/// `GET /admin/tags` and `POST /admin/reload`, behind a bearer token from the configuration.
/// Without a token they do not exist (404), so a default install exposes nothing.
enum AdminRoutes {
    static func add(to router: Router<TagdRequestContext>, liveTags: LiveTags, token: String) {
        guard !token.isEmpty else { return }
        let expected = Array("Bearer \(token)".utf8)

        @Sendable func authorized(_ request: Request) -> Bool {
            guard let header = request.headers[.authorization] else { return false }
            return constantTimeEquals(Array(header.utf8), expected)
        }

        router.get("/admin/tags") { request, _ in
            guard authorized(request) else { return unauthorized() }
            return json(.ok, tagsView(liveTags: liveTags))
        }
        router.post("/admin/reload") { request, _ in
            guard authorized(request) else { return unauthorized() }
            do {
                let report = try liveTags.reload(reason: "admin request")
                return json(.ok, [
                    "generation": .int(Int64(report.generation)),
                    "errors": .array(report.errors.map { ["file": .string($0.path), "error": .string($0.lastError ?? "")] }),
                ])
            } catch {
                return json(.internalServerError, ["error": .string("reload failed: \(error)")])
            }
        }
    }

    static func tagsView(liveTags: LiveTags) -> JSONValue {
        let formatter = ISO8601DateFormatter()
        let files: [JSONValue] = liveTags.files.map { file in
            var entry: [String: JSONValue] = [
                "file": .string(file.path),
                "name": .string(file.name),
                "source_sha256": .string(file.sourceHash),
                "live": .bool(file.isLive),
                "live_source_sha256": file.liveSourceHash.map(JSONValue.string) ?? .null,
                "loaded_at": file.loadedAt.map { .string(formatter.string(from: $0)) } ?? .null,
                "last_error": file.lastError.map(JSONValue.string) ?? .null,
            ]
            if file.path.hasPrefix(liveTags.tagsFolderName + "/") {
                let counts = liveTags.metrics.counts(tag: file.name)
                entry["runs"] = [
                    "fired": .int(Int64(counts[.fired] ?? 0)),
                    "skipped": .int(Int64(counts[.skipped] ?? 0)),
                    "failed": .int(Int64(counts[.failed] ?? 0)),
                ]
            }
            return .object(entry)
        }
        return ["generation": .int(Int64(liveTags.generation)), "files": .array(files)]
    }

    static func json(_ status: HTTPResponse.Status, _ value: JSONValue) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: value.encoded())))
    }

    static func unauthorized() -> Response {
        var response = json(.unauthorized, ["error": "admin token required"])
        response.headers[.wwwAuthenticate] = "Bearer"
        return response
    }

    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}
