"""Creates buckets and uploads objects in a GCS emulator with google-cloud-storage itself.

Usage: STORAGE_EMULATOR_HOST=http://127.0.0.1:PORT python seed_gcs.py MANIFEST_JSON

The manifest maps bucket names to objects, each object name to its content as text:
    {"models": {"fraud/v1/model.json": "{...}", "with space/ü.bin": "..."}}
Prints one line per object uploaded, with its size, and exits non-zero on any failure.
"""

import json
import os
import sys

from google.cloud import storage


def main() -> int:
    if not os.environ.get("STORAGE_EMULATOR_HOST"):
        print("seed_gcs.py: STORAGE_EMULATOR_HOST is not set", file=sys.stderr)
        return 2
    if len(sys.argv) != 2:
        print("usage: seed_gcs.py MANIFEST_JSON", file=sys.stderr)
        return 2
    manifest = json.loads(sys.argv[1])
    # With STORAGE_EMULATOR_HOST set the client is anonymous, as GCSClient is.
    client = storage.Client(project="tandem-test")
    for bucket_name, objects in manifest.items():
        bucket = client.bucket(bucket_name)
        if not bucket.exists():
            bucket = client.create_bucket(bucket_name)
        for name, content in objects.items():
            data = content.encode("utf-8")
            bucket.blob(name).upload_from_string(data, content_type="application/octet-stream")
            print(f"uploaded gs://{bucket_name}/{name} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
