// Model files and request bodies are read with JSONCore's `JSONValue` and `DecimalParser`
// (shared with KubeAPI). `DecimalParser` was FraudServing's own before; re-exporting
// JSONCore keeps `import FraudServing` (fraud-server, FraudServer) seeing it, and
// `JSONValue`, with no extra import.
@_exported import JSONCore
// The names shared with the operator (model formats, environment variables) live in
// FraudServingContract, which needs nothing; FraudServing's users see them through it.
@_exported import FraudServingContract
