/// The field-level operations of structured-merge-diff on `JSONValue` objects, guided by an
/// `ApplySchema`: which fields a value sets, how two values differ, how a configuration
/// merges into a live object, and how owned items are removed.
///
/// All paths and sets are relative to the value given (the object root at the top).
struct ObjectFieldWalker: Sendable {
    let schema: ApplySchema

    /// How a value is walked: as one leaf, or by its members or elements.
    enum Shape: Equatable {
        case leaf
        case object(ApplySchema.MapType)
        case list(ApplySchema.ListType)
    }

    /// The shape of `value` at `location`. Atomic objects and lists, scalars and null are leaves.
    func shape(of value: JSONValue, at location: SchemaLocation) -> Shape {
        switch value {
        case .object:
            let type = schema.mapType(at: location)
            return type == .atomic ? .leaf : .object(type)
        case .array:
            let type = schema.listType(at: location)
            return type == .atomic ? .leaf : .list(type)
        default:
            return .leaf
        }
    }

    /// True for empty objects and lists, which are owned and compared as leaves.
    private func isEmptyContainer(_ value: JSONValue?) -> Bool {
        switch value {
        case .object(let members)?: return members.isEmpty
        case .array(let elements)?: return elements.isEmpty
        default: return false
        }
    }

    /// The path element naming each element of a list, in order; an element whose key cannot be
    /// built (a missing key field, a non-scalar in a set) is named by its index.
    func elements(of list: [JSONValue], type: ApplySchema.ListType) -> [(PathElement, JSONValue)] {
        list.enumerated().map { index, element in (pathElement(for: element, type: type) ?? .index(index), element) }
    }

    /// The key of one list element, or nil when the element does not carry it.
    func pathElement(for element: JSONValue, type: ApplySchema.ListType) -> PathElement? {
        switch type {
        case .atomic:
            return nil
        case .set:
            switch element {
            case .object, .array: return nil
            default: return .valued(element)
            }
        case .map(let keys, let defaults):
            guard case .object(let members) = element else { return nil }
            var fields: [String: JSONValue] = [:]
            for key in keys {
                guard let value = members[key] ?? defaults[key] else { return nil }
                fields[key] = value
            }
            return .keyed(fields)
        }
    }

    /// Elements by path element, the first of duplicates winning, in list order.
    private func indexed(_ list: [JSONValue], type: ApplySchema.ListType) -> (order: [PathElement], items: [PathElement: JSONValue]) {
        var order: [PathElement] = []
        var items: [PathElement: JSONValue] = [:]
        for (element, value) in elements(of: list, type: type) where items[element] == nil {
            order.append(element)
            items[element] = value
        }
        return (order, items)
    }

    // MARK: - The fields a value sets

    /// The fields `value` sets: its leaves, plus the list elements and granular map entries themselves.
    func fieldSet(of value: JSONValue, at location: SchemaLocation = .root) -> FieldSet {
        var set = FieldSet()
        switch (value, shape(of: value, at: location)) {
        case (.object(let members), .object(let type)):
            for (name, member) in members {
                add(.field(name), member, at: location.member(name, of: type), ownedItself: type == .granular, to: &set)
            }
        case (.array(let list), .list(let type)):
            for (element, item) in elements(of: list, type: type) {
                add(element, item, at: location.element, ownedItself: true, to: &set)
            }
        default:
            break
        }
        return set
    }

    private func add(_ element: PathElement, _ value: JSONValue, at location: SchemaLocation, ownedItself: Bool, to set: inout FieldSet) {
        if shape(of: value, at: location) == .leaf || isEmptyContainer(value) {
            set.insertMember(element)
            return
        }
        set.setChild(element, fieldSet(of: value, at: location))
        if ownedItself { set.insertMember(element) }
    }

    // MARK: - Differences

    /// The fields added, modified and removed between two values.
    struct Comparison: Sendable {
        var added = FieldSet()
        var modified = FieldSet()
        var removed = FieldSet()

        /// Drops the ignored fields and everything below them.
        func excluding(_ ignored: FieldSet) -> Comparison {
            Comparison(
                added: added.recursivelySubtracting(ignored), modified: modified.recursivelySubtracting(ignored),
                removed: removed.recursivelySubtracting(ignored))
        }
    }

    /// How `new` differs from `old`, as structured-merge-diff's `Compare`: leaves are added,
    /// modified or removed; objects and list elements that appear or disappear are added or removed too.
    func compare(_ old: JSONValue?, _ new: JSONValue?) -> Comparison {
        var comparison = Comparison()
        compare(old, new, at: .root, path: [], into: &comparison)
        return comparison
    }

    private func compare(_ old: JSONValue?, _ new: JSONValue?, at location: SchemaLocation, path: [PathElement], into comparison: inout Comparison) {
        guard let reference = new ?? old else { return }
        let walkedShape = shape(of: reference, at: location)
        if let old, let new, shape(of: old, at: location) != walkedShape || old.typeName != new.typeName {
            // A value that changes kind: what was below the old value is removed, what is below the new one added.
            compareChildren(old, nil, shape: shape(of: old, at: location), at: location, path: path, into: &comparison)
            compareChildren(nil, new, shape: walkedShape, at: location, path: path, into: &comparison)
            if !old.isSemanticallyEqual(to: new) { comparison.modified.insert(FieldPath(path)) }
            return
        }
        if walkedShape == .leaf || ((old == nil || isEmptyContainer(old)) && (new == nil || isEmptyContainer(new))) {
            if old == nil {
                comparison.added.insert(FieldPath(path))
            } else if new == nil {
                comparison.removed.insert(FieldPath(path))
            } else if let old, let new, !old.isSemanticallyEqual(to: new) {
                comparison.modified.insert(FieldPath(path))
            }
            return
        }
        compareChildren(old, new, shape: walkedShape, at: location, path: path, into: &comparison)
        if old == nil { comparison.added.insert(FieldPath(path)) }
        if new == nil { comparison.removed.insert(FieldPath(path)) }
    }

    private func compareChildren(_ old: JSONValue?, _ new: JSONValue?, shape walkedShape: Shape, at location: SchemaLocation, path: [PathElement], into comparison: inout Comparison) {
        switch walkedShape {
        case .object(let type):
            let oldMembers = old?.objectValue ?? [:]
            let newMembers = new?.objectValue ?? [:]
            for name in Set(oldMembers.keys).union(newMembers.keys) {
                compare(oldMembers[name], newMembers[name], at: location.member(name, of: type), path: path + [.field(name)], into: &comparison)
            }
        case .list(let type):
            let oldItems = indexed(old?.arrayValue ?? [], type: type).items
            let newItems = indexed(new?.arrayValue ?? [], type: type).items
            for element in Set(oldItems.keys).union(newItems.keys) {
                compare(oldItems[element], newItems[element], at: location.element, path: path + [element], into: &comparison)
            }
        case .leaf:
            break
        }
    }

    // MARK: - Merging

    /// `configuration` merged into `live`: objects merged member by member, keyed and set lists
    /// element by element (live order kept, configuration order for the elements it names),
    /// leaves and atomic values replaced.
    func merge(_ live: JSONValue?, _ configuration: JSONValue, at location: SchemaLocation = .root) -> JSONValue {
        guard let live else { return configuration }
        let walkedShape = shape(of: configuration, at: location)
        guard shape(of: live, at: location) == walkedShape, live.typeName == configuration.typeName else { return configuration }
        switch (live, configuration, walkedShape) {
        case (.object(var members), .object(let applied), .object(let type)):
            for (name, value) in applied {
                members[name] = merge(members[name], value, at: location.member(name, of: type))
            }
            return .object(members)
        case (.array(let current), .array(let applied), .list(let type)):
            return .array(mergeList(current, applied, type: type, at: location.element))
        default:
            return configuration
        }
    }

    private func mergeList(_ live: [JSONValue], _ applied: [JSONValue], type: ApplySchema.ListType, at location: SchemaLocation) -> [JSONValue] {
        let (liveOrder, liveItems) = indexed(live, type: type)
        let (appliedOrder, appliedItems) = indexed(applied, type: type)
        var shared = appliedOrder.filter { liveItems[$0] != nil }[...]
        var result: [JSONValue] = []
        var emitted: Set<PathElement> = []
        var (l, a) = (0, 0)
        while l < liveOrder.count || a < appliedOrder.count {
            if l < liveOrder.count, a < appliedOrder.count {
                let element = liveOrder[l]
                if element == appliedOrder[a] {
                    result.append(merge(liveItems[element], appliedItems[element]!, at: location))
                    emitted.insert(element)
                    if shared.first == element { shared.removeFirst() }
                    l += 1
                    a += 1
                    continue
                }
                // A live element the configuration also names, but later: it goes where the configuration puts it.
                if appliedItems[element] != nil, let next = shared.first, next != element {
                    l += 1
                    continue
                }
            }
            if l < liveOrder.count {
                let element = liveOrder[l]
                if appliedItems[element] == nil {
                    result.append(liveItems[element]!)
                    l += 1
                    continue
                }
                if emitted.contains(element) || a >= appliedOrder.count {
                    l += 1
                    continue
                }
            }
            if a < appliedOrder.count {
                let element = appliedOrder[a]
                result.append(merge(liveItems[element], appliedItems[element]!, at: location))
                emitted.insert(element)
                if shared.first == element { shared.removeFirst() }
                a += 1
            }
        }
        return result
    }

    // MARK: - Removing owned items

    /// `value` without the members of `set`; an object or list emptied by the removal is dropped from its parent.
    func removing(_ set: FieldSet, from value: JSONValue, at location: SchemaLocation = .root) -> JSONValue {
        if set.isEmpty { return value }
        switch (value, shape(of: value, at: location)) {
        case (.object(let members), .object(let type)):
            var result: [String: JSONValue] = [:]
            for (name, member) in members {
                let element = PathElement.field(name)
                if set.members.contains(element) { continue }
                guard let below = set.children[element] else {
                    result[name] = member
                    continue
                }
                let remaining = removing(below, from: member, at: location.member(name, of: type))
                if isEmptyContainer(remaining), !isEmptyContainer(member) { continue }
                result[name] = remaining
            }
            return .object(result)
        case (.array(let list), .list(let type)):
            var result: [JSONValue] = []
            for (element, item) in elements(of: list, type: type) {
                if set.members.contains(element) { continue }
                guard let below = set.children[element] else {
                    result.append(item)
                    continue
                }
                result.append(removing(below, from: item, at: location.element))
            }
            return .array(result)
        default:
            return value
        }
    }

    /// `set` with every structure field that has owned fields below it made a member itself,
    /// as structured-merge-diff's `EnsureNamedFieldsAreMembers`, so pruning can drop a whole structure.
    func ensuringNamedFieldsAreMembers(_ set: FieldSet, at location: SchemaLocation = .root) -> FieldSet {
        var result = set
        let type = schema.mapType(at: location)
        for (element, child) in set.children {
            let childLocation: SchemaLocation
            if case .field(let name) = element {
                childLocation = location.member(name, of: type)
                if type == .structure { result.insertMember(element) }
            } else {
                childLocation = location.element
            }
            result.setChild(element, ensuringNamedFieldsAreMembers(child, at: childLocation))
        }
        return result
    }

    // MARK: - Validation

    /// Checks that every keyed list element of an applied configuration carries its keys, and
    /// that no key or set value repeats, as kube-apiserver does before applying.
    ///
    /// - Returns: a message naming the list and element, or nil when the configuration is valid.
    func validationFailure(of value: JSONValue, at location: SchemaLocation = .root, path: [PathElement] = []) -> String? {
        switch (value, shape(of: value, at: location)) {
        case (.object(let members), .object(let type)):
            for name in members.keys.sorted() {
                let failure = validationFailure(of: members[name]!, at: location.member(name, of: type), path: path + [.field(name)])
                if let failure { return failure }
            }
        case (.array(let list), .list(let type)):
            var seen: Set<PathElement> = []
            for (index, item) in list.enumerated() {
                guard let element = pathElement(for: item, type: type) else {
                    return "\(FieldPath(path)): element \(index): " + missingKeyReason(item, type: type)
                }
                guard seen.insert(element).inserted else {
                    return "\(FieldPath(path)): duplicate entries for key \(element)"
                }
                if let failure = validationFailure(of: item, at: location.element, path: path + [element]) { return failure }
            }
        default:
            break
        }
        return nil
    }

    private func missingKeyReason(_ item: JSONValue, type: ApplySchema.ListType) -> String {
        guard case .map(let keys, let defaults) = type, case .object(let members) = item else {
            return "expected a \(type == .set ? "scalar" : "object") element, got \(item.typeName)"
        }
        let missing = keys.first { members[$0] == nil && defaults[$0] == nil } ?? keys[0]
        return "associative list with keys has an element that omits key field \"\(missing)\" (and doesn't have default value)"
    }
}
