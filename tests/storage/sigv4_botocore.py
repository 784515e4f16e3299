#!/usr/bin/python3
"""Signs S3 requests with botocore (Debian's python3-botocore), an independent SigV4
implementation, so that sigv4_botocore_test can compare atoll's signatures with it.

Input (stdin): a JSON list of requests
  {"method", "scheme", "host", "key" (raw, "" for the bucket), "bucket" (path-style, or ""),
   "query": [[name, value]...] (raw), "headers": [[name, value]...], "payload_hash",
   "time" (unix seconds), "access_key", "secret_key", "token", "region"}
Output (stdout): a JSON list of {"authorization", "canonical_request"}.
Run with /usr/bin/python3: a pyenv python3 earlier in PATH has no botocore.
"""
import datetime
import json
import sys
from urllib.parse import quote

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


class FixedPayloadAuth(botocore.auth.S3SigV4Auth):
    """S3SigV4Auth with the payload hash given by the test (botocore would hash the body)."""

    def __init__(self, credentials, region, payload_hash):
        super().__init__(credentials, "s3", region)
        self._payload_hash = payload_hash

    def payload(self, request):
        return self._payload_hash

    def canonical_request(self, request):
        self.last_canonical_request = super().canonical_request(request)
        return self.last_canonical_request


def fixed_clock(unix_seconds):
    moment = datetime.datetime.utcfromtimestamp(unix_seconds)

    class Clock(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return moment

    return Clock


def sign(spec):
    path = "/" + (spec["bucket"] + "/" if spec["bucket"] else "") + spec["key"]
    if spec["bucket"] and not spec["key"]:
        path = "/" + spec["bucket"]
    # botocore's serializer encodes S3 keys with percent_encode(key, safe='/~').
    url = "%s://%s%s" % (spec["scheme"], spec["host"], quote(path, safe="/~"))
    request = AWSRequest(method=spec["method"], url=url,
                         headers=dict(spec["headers"]),
                         params=[tuple(p) for p in spec["query"]])
    creds = Credentials(spec["access_key"], spec["secret_key"], spec["token"] or None)
    auth = FixedPayloadAuth(creds, spec["region"], spec["payload_hash"])
    botocore.auth.datetime.datetime = fixed_clock(spec["time"])
    auth.add_auth(request)
    return {
        "authorization": request.headers["Authorization"],
        "canonical_request": auth.last_canonical_request,
    }


def main():
    specs = json.load(sys.stdin)
    json.dump([sign(s) for s in specs], sys.stdout)


if __name__ == "__main__":
    main()
