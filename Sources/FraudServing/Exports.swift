// Model files and request bodies are read with JSONCore's `JSONValue` and `DecimalParser`
// (shared with KubeAPI). `DecimalParser` was FraudServing's own before; re-exporting
// JSONCore keeps `import FraudServing` (fraud-server, FraudServer) seeing it, and
// `JSONValue`, with no extra import.
@_exported import JSONCore
