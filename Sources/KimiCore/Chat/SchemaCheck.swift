/// Checks a JSON Schema against Moonshot Flavored JSON Schema (MFJS), the
/// subset Kimi accepts for tool parameters and structured output: no
/// `title`, `$comment` or `format`; no `minimum`, `maximum`,
/// `exclusiveMinimum`, `exclusiveMaximum`, `minItems` or `maxItems`; no
/// `prefixItems` or `unevaluatedItems`; `$defs` only at the root; `$ref`
/// only inside the document; each `enum` of a single scalar type.
///
/// Only keywords in schema positions are checked: a property *named*
/// "title" is fine, a `title` keyword is not.
enum SchemaCheck {
    static let unsupported: Set<String> = [
        "title", "$comment", "format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
        "minItems", "maxItems", "prefixItems", "unevaluatedItems",
    ]

    /// Problems found, each "<keyword> at <JSON pointer>" (the pointer as
    /// `excerpt` shows it: a property name is the caller's, of any length).
    static func problems(in schema: JSONValue) -> [String] {
        var found: [String] = []
        walk(schema, pointer: "", root: true, into: &found)
        return found
    }

    private static func walk(_ schema: JSONValue, pointer: String, root: Bool, into found: inout [String]) {
        guard schema.isObject else { return }
        for (key, value) in schema.members {
            let here = "\(pointer)/\(escape(key))"
            if unsupported.contains(key) { found.append("\(key) at \(excerpt(here))") }
            switch key {
            case "properties", "patternProperties", "definitions", "dependentSchemas":
                for (name, sub) in value.members { walk(sub, pointer: "\(here)/\(escape(name))", root: false, into: &found) }
            case "$defs":
                if !root { found.append("$defs at \(excerpt(here)) (only allowed at the root)") }
                for (name, sub) in value.members { walk(sub, pointer: "\(here)/\(escape(name))", root: false, into: &found) }
            case "items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames",
                 "additionalItems", "unevaluatedProperties":
                if value.kind == .array {
                    for (i, sub) in value.elements.enumerated() { walk(sub, pointer: "\(here)/\(i)", root: false, into: &found) }
                } else {
                    walk(value, pointer: here, root: false, into: &found)
                }
            case "anyOf", "oneOf", "allOf", "prefixItems":
                for (i, sub) in value.elements.enumerated() { walk(sub, pointer: "\(here)/\(i)", root: false, into: &found) }
            case "$ref":
                if let ref = value.string, !ref.hasPrefix("#") { found.append("external $ref \(quoted(ref)) at \(excerpt(here))") }
            case "enum":
                let kinds = Set(value.elements.map { element -> String in
                    switch element.kind {
                    case .integer, .real: return "number"
                    default: return element.kindName
                    }
                })
                if kinds.count > 1 { found.append("enum of mixed types at \(excerpt(here))") }
            default:
                break
            }
        }
    }

    private static func escape(_ token: String) -> String {
        token.replacingAll("~", with: "~0").replacingAll("/", with: "~1")
    }
}
