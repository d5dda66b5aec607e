import LuaHost
import TagdJSON

/// `response.set_cookie(name, value, options)`: cookies for the hit's response, e.g. Pinterest's `_epik`.
enum ResponseModule {
    static func make(scope: InvocationScope) -> NativeModule {
        NativeModule(name: "response", functions: [
            "set_cookie": { args in
                let name = try args.string(1)
                let value = try args.string(2)
                guard isToken(name), value.utf8.allSatisfy(isCookieOctet) else {
                    throw NativeFunctionError("set_cookie: invalid cookie name or value for '\(name)'")
                }
                var cookie = ResponseCookie(
                    name: name, value: value, maxAge: nil, path: "/", domain: nil,
                    secure: true, httpOnly: false, sameSite: "Lax")
                if args.count >= 3, case .object(let options) = try args.value(3, as: JSONValue.self) {
                    if let maxAge = options["max_age"]?.numberValue { cookie.maxAge = Int(maxAge) }
                    if let path = options["path"]?.stringValue { cookie.path = path }
                    if let domain = options["domain"]?.stringValue { cookie.domain = domain }
                    if let secure = options["secure"]?.boolValue { cookie.secure = secure }
                    if let httpOnly = options["http_only"]?.boolValue { cookie.httpOnly = httpOnly }
                    if let sameSite = options["same_site"]?.stringValue { cookie.sameSite = sameSite }
                }
                scope.setCookie(cookie)
                return []
            }
        ])
    }

    static func isToken(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && !"()<>@,;:\\\"/[]?={}".utf8.contains($0) }
    }

    static func isCookieOctet(_ b: UInt8) -> Bool {
        b == 0x21 || (0x23...0x2B).contains(b) || (0x2D...0x3A).contains(b) || (0x3C...0x5B).contains(b)
            || (0x5D...0x7E).contains(b)
    }
}
