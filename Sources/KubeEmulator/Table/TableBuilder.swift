import Foundation
import KubeAPI

/// Builds `meta.k8s.io/v1` Tables (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`) from
/// objects, with CRD printer columns or the built-in kinds' column sets.
struct TableBuilder: Sendable {
    /// What each row carries in `rows[].object` (`?includeObject=`).
    enum IncludeObject: String, Sendable {
        case none = "None"
        case metadata = "Metadata"
        case object = "Object"
    }

    struct Column: Sendable {
        var name: String
        var type: String
        var format: String = ""
        var description: String = ""
        var priority: Int = 0
        var cell: @Sendable (JSONValue, Date) -> JSONValue
    }

    let columns: [Column]
    let include: IncludeObject

    init(definition: ResourceDefinition, include: IncludeObject) {
        self.include = include
        if let printerColumns = definition.printerColumns {
            columns = [Self.nameColumn] + printerColumns.map(Self.column(for:))
        } else if let builtin = definition.builtinTable {
            columns = BuiltinColumns.columns(for: builtin)
        } else {
            columns = [Self.nameColumn, Self.ageColumn]
        }
    }

    static let nameColumn = Column(
        name: "Name", type: "string", format: "name",
        description: "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
    ) { object, _ in object[path: ["metadata", "name"]] ?? "" }

    static let ageColumn = Column(
        name: "Age", type: "date",
        description: "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"
    ) { object, now in age(object[path: ["metadata", "creationTimestamp"]], now: now) }

    static func age(_ timestamp: JSONValue?, now: Date) -> JSONValue {
        guard let text = timestamp?.stringValue, let date = Timestamp.parse(text) else { return "<unknown>" }
        return .string(HumanDuration.format(seconds: now.timeIntervalSince(date)))
    }

    static func column(for printer: ResourceDefinition.PrinterColumn) -> Column {
        let path = PrinterJSONPath(printer.jsonPath)
        return Column(name: printer.name, type: printer.type, format: printer.format, description: printer.description, priority: printer.priority) { object, now in
            guard let values = path?.evaluate(object), !values.isEmpty else { return .null }
            switch printer.type {
            case "date":
                return age(values[0], now: now)
            case "integer", "number", "boolean":
                return values.count == 1 ? values[0] : .string(values.map(PrinterJSONPath.text).joined(separator: ","))
            default:
                return .string(values.map(PrinterJSONPath.text).joined(separator: ","))
            }
        }
    }

    /// The column definitions.
    var columnDefinitions: JSONValue {
        .array(columns.map { column in
            ["name": .string(column.name), "type": .string(column.type), "format": .string(column.format),
             "description": .string(column.description), "priority": .int(Int64(column.priority))]
        })
    }

    /// One row for an object.
    func row(for object: JSONValue, now: Date) -> JSONValue {
        var row: JSONValue = ["cells": .array(columns.map { $0.cell(object, now) })]
        switch include {
        case .none: break
        case .object: row["object"] = object
        case .metadata:
            row["object"] = [
                "kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                "metadata": object["metadata"] ?? .emptyObject,
            ]
        }
        return row
    }

    /// A Table of the given objects.
    func table(for objects: [JSONValue], resourceVersion: String, continueToken: String? = nil, withColumns: Bool = true, now: Date = Date()) -> JSONValue {
        var metadata: JSONValue = ["resourceVersion": .string(resourceVersion)]
        if let continueToken { metadata["continue"] = .string(continueToken) }
        var table: JSONValue = [
            "kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": metadata,
            "rows": .array(objects.map { row(for: $0, now: now) }),
        ]
        table["columnDefinitions"] = withColumns ? columnDefinitions : .array([])
        return table
    }

    /// Whether an Accept header asks for a Table.
    static func isRequested(by accept: String) -> Bool {
        accept.split(separator: ",").contains { part in
            let parameters = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            return parameters.contains("as=Table") && parameters.contains("g=meta.k8s.io")
        }
    }
}
