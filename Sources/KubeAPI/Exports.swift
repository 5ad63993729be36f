// `JSONValue`, its parser and its serializer live in JSONCore, the lowest layer, so that
// fraud-server can share them without depending on Kubernetes types. They were part of
// KubeAPI before; re-exporting JSONCore keeps every `import KubeAPI` (and every file of
// this module) seeing them as before, with no extra import.
@_exported import JSONCore
