#!/usr/bin/env python3
"""The FraudModel reference tables, generated from the CRD's schema (its field descriptions).

    hack/crd-reference.py                  print the tables (Markdown)
    hack/crd-reference.py --write FILE     replace the generated block in FILE (README.md)
    hack/crd-reference.py --check FILE     exit 1, with a diff, when FILE's block differs

The block sits between the BEGIN and END marker lines below. Needs PyYAML (.venv has it).
"""

import argparse
import difflib
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
CRD = REPO / "crds/tandem.dev_fraudmodels.yaml"
BEGIN = ("<!-- BEGIN fraudmodel-reference: generated from crds/tandem.dev_fraudmodels.yaml "
         "by hack/crd-reference.py --write README.md; do not edit by hand -->")
END = "<!-- END fraudmodel-reference -->"


def type_of(schema):
    """A short type: string, integer, list of objects, map of string to integer, quantity…"""
    if schema.get("x-kubernetes-int-or-string"):
        return "quantity (string or integer)"
    kind = schema.get("type", "object")
    if kind == "array":
        return "list of " + type_of(schema.get("items", {})) + "s"
    if kind == "object" and "additionalProperties" in schema:
        return "map of string to " + type_of(schema["additionalProperties"])
    if kind == "string" and schema.get("format") == "date-time":
        return "timestamp"
    return kind


def constraints(schema):
    """Enum values, bounds and lengths, as a short phrase."""
    parts = []
    if "enum" in schema:
        parts.append(" | ".join(f"`{value}`" for value in schema["enum"]))
    if "minimum" in schema and "maximum" in schema:
        parts.append(f"{number(schema['minimum'])} to {number(schema['maximum'])}")
    elif "minimum" in schema:
        parts.append(f"≥ {number(schema['minimum'])}")
    elif "maximum" in schema:
        parts.append(f"≤ {number(schema['maximum'])}")
    if "maxLength" in schema:
        parts.append(f"at most {schema['maxLength']} characters")
    if schema.get("minLength") == 1 and "maxLength" not in schema:
        parts.append("not empty")
    if "pattern" in schema and "enum" not in schema and not schema.get("x-kubernetes-int-or-string"):
        pattern = schema["pattern"]
        parts.append(PATTERNS.get(pattern) or (f"matches `{pattern}`" if len(pattern) <= 40 else "a pattern (in the CRD)"))
    if "additionalProperties" in schema and constraints(schema["additionalProperties"]):
        parts.append("values: " + constraints(schema["additionalProperties"]))
    return "; ".join(parts)


# Patterns with a name.
PATTERNS = {
    "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$": "a DNS label",
    "^[a-f0-9]{64}$": "64 lowercase hex digits",
    "^[A-Za-z0-9]([A-Za-z0-9.:-]*[A-Za-z0-9])?(/[a-z0-9]+([._-][a-z0-9]+)*)*$": "a registry host[:port][/path]",
    "^[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$": "a repository path (lowercase)",
    "^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\\.)+[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$": "a DNS name",
    "^((s3|gs)://[A-Za-z0-9._-]+|https?://[^\\s/{}?#@]+|file://)/([^\\s{}?#]|\\{version\\})+$":
        "an s3, gs, https, http or file URI; only the {version} placeholder",
}


def number(value):
    return str(int(value)) if float(value).is_integer() else str(value)


def default_of(schema):
    if "default" not in schema:
        return ""
    value = schema["default"]
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if value == {}:
        return "`{}`"
    return f"`{number(value) if isinstance(value, (int, float)) else value}`"


def cell(text):
    return " ".join(str(text).split()).replace("|", "\\|")


def rows(schema, path, required, out):
    """One row per field, depth first, in the schema's (alphabetical) order."""
    for name, field in schema.get("properties", {}).items():
        field_path = f"{path}.{name}" if path else name
        marker = " (required)" if name in required else ""
        out.append((field_path + marker, type_of(field), default_of(field), constraints(field),
                    field.get("description", "")))
        if field.get("type") == "array" and "properties" in field.get("items", {}):
            items = field["items"]
            rows(items, field_path + "[]", set(items.get("required", [])), out)
        elif "properties" in field:
            rows(field, field_path, set(field.get("required", [])), out)


def table(schema, root):
    out = []
    rows(schema, root, set(schema.get("required", [])), out)
    lines = ["| Field | Type | Default | Allowed | Description |", "|---|---|---|---|---|"]
    for field_path, kind, default, allowed, description in out:
        lines.append(f"| `{field_path.split(' ')[0]}`{field_path[len(field_path.split(' ')[0]):]} "
                     f"| {cell(kind)} | {default} | {cell(allowed) if allowed else ''} | {cell(description)} |")
    return lines


def reference():
    crd = yaml.safe_load(CRD.read_text())
    version = crd["spec"]["versions"][0]
    schema = version["schema"]["openAPIV3Schema"]
    group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
    spec, status = schema["properties"]["spec"], schema["properties"]["status"]
    required = ", ".join(f"`spec.{name}`" for name in spec.get("required", []))
    lines = [BEGIN, "",
             f"`apiVersion: {group}/{version['name']}`, `kind: {kind}`, namespaced, short name "
             f"`{crd['spec']['names']['shortNames'][0]}`. {cell(spec['description'])} Required: {required}.",
             "", "**spec**", ""]
    lines += table(spec, "spec")
    lines += ["", f"**status** (written by tandem-operator; `kubectl get fm` shows "
              + ", ".join(c["name"] for c in version.get("additionalPrinterColumns", [])) + ")", ""]
    lines += table(status, "status")
    lines += ["", END]
    return "\n".join(lines) + "\n"


def replace_block(text, block):
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise SystemExit(f"crd-reference: the markers are missing; put these two lines where the "
                         f"reference belongs:\n{BEGIN}\n{END}")
    return text[:start] + block + text[end + len(END) + 1:]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", metavar="FILE", type=Path)
    group.add_argument("--check", metavar="FILE", type=Path)
    args = parser.parse_args()
    block = reference()
    if args.write:
        args.write.write_text(replace_block(args.write.read_text(), block))
        print(f"crd-reference: wrote the FraudModel reference into {args.write}")
    elif args.check:
        current = args.check.read_text()
        wanted = replace_block(current, block)
        if current != wanted:
            sys.stdout.writelines(difflib.unified_diff(
                current.splitlines(True), wanted.splitlines(True), str(args.check), "generated", n=0))
            print(f"crd-reference: {args.check}'s FraudModel reference differs from {CRD.relative_to(REPO)}; "
                  f"run hack/crd-reference.py --write {args.check}")
            return 1
        print(f"crd-reference: {args.check}'s FraudModel reference matches {CRD.relative_to(REPO)}")
    else:
        sys.stdout.write(block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
