import LuaHost

/// A tag as loaded into one VM: its trigger and the function that fires it.
///
/// An immutable object: each hit takes every tag out of its VM's list, and a reference is one retain where a
/// copy of the fields retained both strings and the trigger.
final class LoadedTag {
    let file: String
    let name: String
    let trigger: TagTrigger
    let fire: LuaRef
    /// Whether `fire` or the trigger function can see a second argument; when no tag can, a hit skips
    /// passing its request into Lua.
    let readsRequest: Bool

    init(file: String, name: String, trigger: TagTrigger, fire: LuaRef, readsRequest: Bool) {
        self.file = file
        self.name = name
        self.trigger = trigger
        self.fire = fire
        self.readsRequest = readsRequest
    }
}

/// When a tag fires: a list of event names (`"*"` for all) or a Lua function of the event.
enum TagTrigger {
    case events(Set<String>)
    case all
    case function(LuaRef)
}

/// How a tag file loaded: shown by `tagd check`, the admin view and the server log.
public struct TagStatus: Sendable, Equatable {
    public let file: String
    public let name: String
    /// nil when the tag loaded; otherwise the error with file and line.
    public let error: String?

    public var isLoaded: Bool { error == nil }
}

/// Why a tag file is not a valid tag.
struct TagShapeError: Error, CustomStringConvertible {
    let description: String
}

extension LoadedTag {
    /// Reads the table a tag file returned: `{ name = ..., trigger = ..., fire = function(event, request) }`.
    static func read(from value: LuaRef, file: TagFile, in vm: LuaVM) throws -> LoadedTag {
        guard vm.type(of: value) == .table else {
            throw TagShapeError(description: "\(file.path): must return a tag table { trigger = ..., fire = function(event, request) ... end }, returned \(vm.type(of: value))")
        }
        var name = file.baseName
        if let nameRef = try vm.field(value, "name") {
            guard case .string(let s) = try vm.value(nameRef), !s.isEmpty else {
                throw TagShapeError(description: "\(file.path): 'name' must be a non-empty string")
            }
            name = s
        }
        guard let fire = try vm.field(value, "fire"), vm.type(of: fire) == .function else {
            throw TagShapeError(description: "\(file.path): 'fire' must be a function(event, request)")
        }
        guard let triggerRef = try vm.field(value, "trigger") else {
            throw TagShapeError(description: "\(file.path): 'trigger' is missing: use trigger = { events = { \"purchase\" } } or a function(event, request)")
        }
        let trigger: TagTrigger
        switch vm.type(of: triggerRef) {
        case .function:
            trigger = .function(triggerRef)
        case .table:
            guard let eventsRef = try vm.field(triggerRef, "events"), case .array(let list) = try vm.value(eventsRef) else {
                throw TagShapeError(description: "\(file.path): trigger.events must be a list of event names")
            }
            var names = Set<String>()
            for entry in list {
                guard case .string(let eventName) = entry, !eventName.isEmpty else {
                    throw TagShapeError(description: "\(file.path): trigger.events must hold event names (strings)")
                }
                names.insert(eventName)
            }
            trigger = names.contains("*") ? .all : .events(names)
        default:
            throw TagShapeError(description: "\(file.path): 'trigger' must be a table { events = {...} } or a function")
        }
        var functions = [fire]
        if case .function(let function) = trigger { functions.append(function) }
        let readsRequest = functions.contains { function in
            guard let arity = vm.arity(of: function) else { return true }
            return arity.parameters >= 2 || arity.isVararg
        }
        return LoadedTag(file: file.path, name: name, trigger: trigger, fire: fire, readsRequest: readsRequest)
    }
}
