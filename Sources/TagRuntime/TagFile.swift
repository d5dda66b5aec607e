import Foundation

/// One Lua file of a tag folder: a tag in `tags/` or a template in `templates/`.
public struct TagFile: Sendable, Hashable {
    /// Path shown to people in errors and logs, e.g. `tags/shop.lua`.
    public let path: String
    public let source: String

    public init(path: String, source: String) {
        self.path = path
        self.source = source
    }

    /// The file name without folder and `.lua`: the tag's default name, or the template's module name.
    public var baseName: String {
        let file = path.split(separator: "/").last.map(String.init) ?? path
        return file.hasSuffix(".lua") ? String(file.dropLast(4)) : file
    }
}

/// The tags and templates a runtime generation is built from.
public struct TagBundle: Sendable, Hashable {
    /// In firing order (sorted by path, so the order is stable and visible in the folder listing).
    public let tags: [TagFile]
    /// By module name, as `require "name"` finds them.
    public let templates: [String: TagFile]

    public init(tags: [TagFile], templates: [TagFile]) {
        self.tags = tags.sorted { $0.path < $1.path }
        self.templates = Dictionary(templates.map { ($0.baseName, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Reads every `*.lua` file of the two folders (a missing templates folder is empty).
    /// Files are named relative to the folders' parent, e.g. `tags/shop.lua`.
    public static func read(tagsFolder: String, templatesFolder: String) throws -> TagBundle {
        TagBundle(
            tags: try readFolder(tagsFolder, required: true),
            templates: try readFolder(templatesFolder, required: false)
        )
    }

    static func readFolder(_ folder: String, required: Bool) throws -> [TagFile] {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            if required { throw TagBundleError.missingFolder(folder) }
            return []
        }
        let shownFolder = URL(fileURLWithPath: folder).lastPathComponent
        return try manager.contentsOfDirectory(atPath: folder)
            .filter { $0.hasSuffix(".lua") && !$0.hasPrefix(".") }
            .sorted()
            .map { name in
                let data = try Data(contentsOf: URL(fileURLWithPath: folder).appendingPathComponent(name))
                return TagFile(path: "\(shownFolder)/\(name)", source: String(decoding: data, as: UTF8.self))
            }
    }
}

public enum TagBundleError: Error, CustomStringConvertible {
    case missingFolder(String)

    public var description: String {
        switch self {
        case .missingFolder(let folder): return "tag folder '\(folder)' does not exist"
        }
    }
}
