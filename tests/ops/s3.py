"""A real S3-compatible server for the storage tests: moto's server, started by the tests
on a free 127.0.0.1 port in a process of its own (nothing outside the machine is reached)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass

# Any credentials do for moto; boto3 insists on having some.
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@dataclass
class S3Server:
    endpoint: str

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            region_name=CREDENTIALS["AWS_DEFAULT_REGION"],
        )

    def new_bucket(self) -> str:
        name = f"wenping-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def objects(self, bucket: str) -> dict[str, bytes]:
        client = self.client()
        found = {}
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for item in page.get("Contents", []):
                body = client.get_object(Bucket=bucket, Key=item["Key"])["Body"]
                found[item["Key"]] = body.read()
        return found

    def storages(self, bucket: str) -> dict[str, dict]:
        """The "reports" and "attachments" aliases on this server, as settings configure them."""

        def alias(prefix: str) -> dict:
            return {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": bucket,
                    "endpoint_url": self.endpoint,
                    "region_name": CREDENTIALS["AWS_DEFAULT_REGION"],
                    "location": prefix,
                    "default_acl": "private",
                    "file_overwrite": False,
                    "access_key": CREDENTIALS["AWS_ACCESS_KEY_ID"],
                    "secret_key": CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
                },
            }

        return {"reports": alias("reports"), "attachments": alias("evidence")}

    def environment(self, bucket: str) -> dict[str, str]:
        """What an operator sets for a process to keep its files in `bucket`."""
        return {
            **CREDENTIALS,
            "ZHOUCUN_REPORTS_BACKEND": "s3",
            "ZHOUCUN_ATTACHMENTS_BACKEND": "s3",
            "ZHOUCUN_S3_BUCKET": bucket,
            "ZHOUCUN_S3_ENDPOINT_URL": self.endpoint,
            "ZHOUCUN_S3_REGION": CREDENTIALS["AWS_DEFAULT_REGION"],
        }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(timeout: float = 30.0) -> tuple[subprocess.Popen, S3Server]:
    """Start the server and wait until it answers; its process is the caller's to stop."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"moto server exited: {process.stderr.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return process, S3Server(endpoint)
        except OSError:  # refused while starting, or a timeout: both are OSError
            pass
        if time.monotonic() > deadline:
            process.kill()
            process.wait()
            raise RuntimeError(f"moto server on port {port} did not answer in {timeout:.0f} s")
        time.sleep(0.2)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
