"""Prepares a fresh moto server for the S3 tests, then turns its signature checking on.

Usage: moto_setup.py ENDPOINT OBJECTS_JSON READABLE_BUCKET

OBJECTS_JSON maps bucket names to {key: text content}. Creates an IAM user and a role
("fraud") that may read READABLE_BUCKET only (s3:GetObject and s3:ListBucket, so that a missing
key is a 404 as on AWS), uploads the objects with boto3, assumes the role once for a session,
and prints {"user": {...}, "session": {...}, "roleArn": ...} as JSON.

moto checks signatures once INITIAL_NO_AUTH_ACTION_COUNT actions have been served without;
the server is started with 0, so this script opens the window (POST /moto-api/reset-auth "inf")
for its own setup calls and closes it ("0") before it prints anything.
"""

import json
import sys
import urllib.request

import boto3


def reset_auth(endpoint: str, count: str) -> None:
    request = urllib.request.Request(
        f"{endpoint}/moto-api/reset-auth", data=count.encode(), method="POST", headers={"Content-Type": "text/plain"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


def main() -> None:
    endpoint, objects, readable = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
    session = boto3.Session(aws_access_key_id="setup", aws_secret_access_key="setup", region_name="us-east-1")
    iam = session.client("iam", endpoint_url=endpoint)
    s3 = session.client("s3", endpoint_url=endpoint)
    sts = session.client("sts", endpoint_url=endpoint)

    reset_auth(endpoint, "inf")
    read_policy = json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{readable}/*"},
            {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{readable}"},
        ],
    })
    iam.create_user(UserName="model-reader")
    iam.put_user_policy(UserName="model-reader", PolicyName="read-models", PolicyDocument=read_policy)
    key = iam.create_access_key(UserName="model-reader")["AccessKey"]

    trust = json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Federated": "*", "AWS": "*"},
                       "Action": ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity"]}],
    })
    role = iam.create_role(RoleName="fraud", AssumeRolePolicyDocument=trust)["Role"]
    iam.put_role_policy(RoleName="fraud", PolicyName="read-models", PolicyDocument=read_policy)

    for bucket, contents in objects.items():
        s3.create_bucket(Bucket=bucket)
        for name, text in contents.items():
            s3.put_object(Bucket=bucket, Key=name, Body=text.encode())

    assumed = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="pod", DurationSeconds=3600)["Credentials"]
    reset_auth(endpoint, "0")

    json.dump({
        "user": {"accessKeyId": key["AccessKeyId"], "secretAccessKey": key["SecretAccessKey"]},
        "session": {
            "accessKeyId": assumed["AccessKeyId"],
            "secretAccessKey": assumed["SecretAccessKey"],
            "sessionToken": assumed["SessionToken"],
            "expiration": assumed["Expiration"].strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
        "roleArn": role["Arn"],
    }, sys.stdout)


if __name__ == "__main__":
    main()
