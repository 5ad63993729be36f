#!/usr/bin/env python3
"""Publish one model file to both clouds' buckets and print the FraudModel fields to set.

Used by `hack/release.sh model VERSION FILE`. Uploads FILE to the S3 and GCS locations (templates
with `{version}`), reads each object back, compares its SHA-256 with the local file's, and prints
the spec fields. Credentials and endpoints are the clouds' own libraries' (boto3: AWS_* variables,
profiles, IRSA, AWS_ENDPOINT_URL_S3; google-cloud-storage: Application Default Credentials,
STORAGE_EMULATOR_HOST), so it works against the real clouds and against local emulators alike.
"""
import argparse
import hashlib
import os
import sys


def split(uri, scheme):
    prefix = scheme + "://"
    if not uri.startswith(prefix) or "/" not in uri[len(prefix):]:
        sys.exit(f"publish: {uri!r} is not a {prefix}BUCKET/KEY location")
    bucket, _, key = uri[len(prefix):].partition("/")
    if not bucket or not key:
        sys.exit(f"publish: {uri!r} needs a bucket and a key")
    return bucket, key


def publish_s3(path, uri):
    import boto3
    bucket, key = split(uri, "s3")
    client = boto3.client("s3")
    with open(path, "rb") as body:
        client.put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/octet-stream")
    return hashlib.sha256(client.get_object(Bucket=bucket, Key=key)["Body"].read()).hexdigest()


def publish_gcs(path, uri):
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage
    bucket, key = split(uri, "gs")
    if os.environ.get("STORAGE_EMULATOR_HOST"):
        client = storage.Client(project=os.environ.get("GCP_PROJECT", "local"), credentials=AnonymousCredentials())
    else:
        client = storage.Client()
    blob = client.bucket(bucket).blob(key)
    blob.upload_from_filename(path, content_type="application/octet-stream")
    return hashlib.sha256(client.bucket(bucket).blob(key).download_as_bytes()).hexdigest()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("version")
    parser.add_argument("file")
    parser.add_argument("--s3", help="S3 location template, e.g. s3://fraud-models/fraud-detector/{version}/model.json")
    parser.add_argument("--gcs", help="GCS location template, e.g. gs://fraud-models/fraud-detector/{version}/model.json")
    parser.add_argument("--gcs-cluster", default="gke", help="the member cluster that reads GCS (spec.clusters[].name)")
    parser.add_argument("--image-tag", default="", help="the server image's tag (spec.image.tag, required with a storageUri)")
    args = parser.parse_args()
    if not args.s3 and not args.gcs:
        sys.exit("publish: give --s3, --gcs or both")
    with open(args.file, "rb") as handle:
        local = hashlib.sha256(handle.read()).hexdigest()
    failed = False
    for template, publish in ((args.s3, publish_s3), (args.gcs, publish_gcs)):
        if not template:
            continue
        uri = template.replace("{version}", args.version)
        remote = publish(args.file, uri)
        if remote != local:
            print(f"publish: {uri} reads back with sha256 {remote}, the local file has {local}", file=sys.stderr)
            failed = True
        else:
            print(f"publish: {uri} verified (sha256 {local})", file=sys.stderr)
    if failed:
        sys.exit(1)
    primary = args.s3 or args.gcs
    print("spec:")
    print(f"  modelVersion: \"{args.version}\"")
    if args.image_tag:
        print(f"  image: {{tag: \"{args.image_tag}\"}}")
    else:
        print("  # image.tag: the server image's tag (required with a storageUri; MODEL_IMAGE_TAG prints it)")
    print(f"  modelSHA256: {local}")
    print("  model:")
    print(f"    storageUri: \"{primary}\"")
    if args.s3 and args.gcs:
        print("  clusters:")
        print(f"    - name: {args.gcs_cluster}")
        print("      model:")
        print(f"        storageUri: \"{args.gcs}\"")


if __name__ == "__main__":
    main()
