import TagdJSON

/// Where two JSON values differ, one line per difference with its path, for readable test failures.
public enum JSONDiff {
    public static func differences(expected: JSONValue, actual: JSONValue, path: String = "") -> [String] {
        switch (expected, actual) {
        case (.object(let e), .object(let a)):
            var lines: [String] = []
            for key in Set(e.keys).union(a.keys).sorted() {
                let child = path.isEmpty ? key : "\(path).\(key)"
                switch (e[key], a[key]) {
                case (let ev?, let av?): lines += differences(expected: ev, actual: av, path: child)
                case (let ev?, nil): lines.append("\(child): expected \(ev.encodedString()), missing")
                case (nil, let av?): lines.append("\(child): not expected, got \(av.encodedString())")
                case (nil, nil): break
                }
            }
            return lines
        case (.array(let e), .array(let a)):
            var lines: [String] = []
            for index in 0..<max(e.count, a.count) {
                let child = "\(path)[\(index)]"
                if index >= a.count {
                    lines.append("\(child): expected \(e[index].encodedString()), missing")
                } else if index >= e.count {
                    lines.append("\(child): not expected, got \(a[index].encodedString())")
                } else {
                    lines += differences(expected: e[index], actual: a[index], path: child)
                }
            }
            return lines
        default:
            if expected == actual { return [] }
            return ["\(path.isEmpty ? "value" : path): expected \(expected.encodedString()), got \(actual.encodedString())"]
        }
    }
}
