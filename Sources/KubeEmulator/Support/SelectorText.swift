import KubeAPI

/// A `metav1.LabelSelector` object in its string form (`app=web,tier in (a,b)`), as `kubectl`
/// and the Scale subresource show it.
enum SelectorText {
    static func of(_ selector: JSONValue?) -> String {
        selectorValue(selector)?.description ?? ""
    }

    /// The selector as a `LabelSelector`; nil when absent.
    static func selectorValue(_ selector: JSONValue?) -> LabelSelector? {
        guard let selector, selector.objectValue != nil else { return nil }
        var requirements: [LabelSelector.Requirement] = []
        let matchLabels = (selector["matchLabels"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        for key in matchLabels.keys.sorted() {
            requirements.append(.init(key: key, op: .equals, values: [matchLabels[key]!]))
        }
        for expression in selector["matchExpressions"]?.arrayValue ?? [] {
            guard let key = expression["key"]?.stringValue else { continue }
            let values = expression["values"]?.arrayValue?.compactMap(\.stringValue) ?? []
            switch expression["operator"]?.stringValue {
            case "In": requirements.append(.init(key: key, op: .in, values: values))
            case "NotIn": requirements.append(.init(key: key, op: .notIn, values: values))
            case "Exists": requirements.append(.init(key: key, op: .exists))
            case "DoesNotExist": requirements.append(.init(key: key, op: .doesNotExist))
            default: break
            }
        }
        return LabelSelector(requirements)
    }
}
