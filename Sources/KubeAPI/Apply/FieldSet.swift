/// A set of field paths, as kube-apiserver records the fields a manager owns.
///
/// Stored as a tree, like structured-merge-diff's `fieldpath.Set`: at each level the
/// `members` are paths that end there, and `children` hold longer paths. A path may be
/// both a member and a prefix of other members: a list element owned as a whole
/// whose fields are owned too (`".": {}` in FieldsV1).
///
/// # Guarantees
/// - No child is ever empty, so two sets holding the same paths are `==`.
/// - `init(fieldsV1:)` and `fieldsV1` round-trip.
public struct FieldSet: Sendable, Hashable {
    /// Paths that end at this level.
    public private(set) var members: Set<PathElement>
    /// Paths that continue below this level, by their first element.
    public private(set) var children: [PathElement: FieldSet]

    /// The empty set.
    public init() {
        members = []
        children = [:]
    }

    /// A set holding the given paths.
    public init(_ paths: [FieldPath]) {
        self.init()
        for path in paths { insert(path) }
    }

    /// True when the set holds no path.
    public var isEmpty: Bool { members.isEmpty && children.isEmpty }

    /// Adds `path` (the empty path is ignored: the root is never owned).
    public mutating func insert(_ path: FieldPath) {
        insert(path.elements[...])
    }

    private mutating func insert(_ elements: ArraySlice<PathElement>) {
        guard let first = elements.first else { return }
        if elements.count == 1 {
            members.insert(first)
        } else {
            children[first, default: FieldSet()].insert(elements.dropFirst())
        }
    }

    /// True when `path` is a member.
    public func contains(_ path: FieldPath) -> Bool {
        var current = self
        for (position, element) in path.elements.enumerated() {
            if position == path.elements.count - 1 { return current.members.contains(element) }
            guard let child = current.children[element] else { return false }
            current = child
        }
        return false
    }

    /// The paths below `element`, relative to it.
    public func child(_ element: PathElement) -> FieldSet {
        children[element] ?? FieldSet()
    }

    /// Every member path, in structured-merge-diff's order (members of a level, then its children).
    public var paths: [FieldPath] {
        var result: [FieldPath] = []
        collect(prefix: [], into: &result)
        return result
    }

    private func collect(prefix: [PathElement], into result: inout [FieldPath]) {
        for member in members.sorted() { result.append(FieldPath(prefix + [member])) }
        for element in children.keys.sorted() { children[element]!.collect(prefix: prefix + [element], into: &result) }
    }

    // MARK: - Set operations

    /// Paths in either set.
    public func union(_ other: FieldSet) -> FieldSet {
        var result = self
        result.members.formUnion(other.members)
        for (element, child) in other.children {
            result.children[element] = result.children[element].map { $0.union(child) } ?? child
        }
        return result
    }

    /// Paths in both sets.
    public func intersection(_ other: FieldSet) -> FieldSet {
        var result = FieldSet()
        result.members = members.intersection(other.members)
        for (element, child) in children {
            guard let otherChild = other.children[element] else { continue }
            result.setChild(element, child.intersection(otherChild))
        }
        return result
    }

    /// Paths of this set that are not paths of `other` (longer paths under a member of `other` stay).
    public func subtracting(_ other: FieldSet) -> FieldSet {
        var result = FieldSet()
        result.members = members.subtracting(other.members)
        for (element, child) in children {
            result.setChild(element, other.children[element].map { child.subtracting($0) } ?? child)
        }
        return result
    }

    /// Paths of this set that are neither paths of `other` nor below one of its members.
    public func recursivelySubtracting(_ other: FieldSet) -> FieldSet {
        var result = FieldSet()
        result.members = members.subtracting(other.members)
        for (element, child) in children where !other.members.contains(element) {
            result.setChild(element, other.children[element].map { child.recursivelySubtracting($0) } ?? child)
        }
        return result
    }

    /// Replaces the child at `element`, dropping it when empty.
    mutating func setChild(_ element: PathElement, _ child: FieldSet) {
        children[element] = child.isEmpty ? nil : child
    }

    /// Adds `element` as a member.
    mutating func insertMember(_ element: PathElement) {
        members.insert(element)
    }
}

// MARK: - FieldsV1

extension FieldSet {
    /// Reads a FieldsV1 document (`{"f:spec":{"f:replicas":{}}}`).
    ///
    /// - Throws: `FieldsV1Error` naming the offending member when the document is not FieldsV1.
    public init(fieldsV1: JSONValue) throws(FieldsV1Error) {
        guard case .object(let entries) = fieldsV1 else {
            throw FieldsV1Error("fieldsV1 must be a JSON object, not \(fieldsV1.typeName)")
        }
        self.init()
        for (name, value) in entries {
            if name == "." { throw FieldsV1Error("\".\" is only allowed below a field, not at the top of fieldsV1") }
            let element = try PathElement(fieldsV1Key: name)
            guard case .object(let inner) = value else {
                throw FieldsV1Error("the member \(name) of fieldsV1 must be an object, not \(value.typeName)")
            }
            if inner.isEmpty {
                members.insert(element)
                continue
            }
            var rest = inner
            if let dot = rest.removeValue(forKey: ".") {
                guard dot == .emptyObject else { throw FieldsV1Error("the \".\" entry under \(name) must be {}") }
                members.insert(element)
            }
            if !rest.isEmpty { setChild(element, try FieldSet(fieldsV1: .object(rest))) }
        }
    }

    /// The FieldsV1 document of this set; `{"." : {}}` marks a path that is a member and has longer paths below it.
    public var fieldsV1: JSONValue {
        var entries: [String: JSONValue] = [:]
        for member in members { entries[member.fieldsV1Key] = .emptyObject }
        for (element, child) in children {
            guard case .object(var inner) = child.fieldsV1 else { continue }
            if members.contains(element) { inner["."] = .emptyObject }
            entries[element.fieldsV1Key] = .object(inner)
        }
        return .object(entries)
    }
}

// MARK: - Fields of an object

extension FieldSet {
    /// The fields `object` sets, as server-side apply owns them for an applied configuration:
    /// every leaf, every keyed or set list element (`k:`/`v:`), every granular map entry;
    /// atomic lists and objects as single leaves.
    ///
    /// - Parameter schema: which lists are keyed or sets and which objects are granular or atomic. Defaults to `.kubernetes`.
    public init(of object: JSONValue, schema: ApplySchema = .kubernetes) {
        self = ObjectFieldWalker(schema: schema).fieldSet(of: object)
    }
}
