"""Test helper: an X-RoleBroker-Identity token from a real botocore STS client.

    python botocore-client-token.py SERVER_ID REGION STS_ENDPOINT

Calls sts.get_caller_identity() with the environment's credentials, adds the server id
header before signing, and stops the request at before-send (nothing is sent), printing the
request botocore signed, headers and all (amz-sdk-invocation-id, amz-sdk-request, User-Agent).
"""

import base64
import json
import sys

import botocore.session
from botocore.awsrequest import AWSResponse

server_id, region, endpoint = sys.argv[1:4]
captured = {}


def add_server_id(request, **_):
    request.headers["X-RoleBroker-Server-Id"] = server_id


def capture(request, **_):
    body = request.body.decode("utf-8") if isinstance(request.body, bytes) else request.body
    captured["token"] = {
        "method": request.method,
        "url": request.url,
        "headers": {k: (v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items()},
        "body": body,
    }
    raise SystemExit(0)


client = botocore.session.get_session().create_client(
    "sts", region_name=region, endpoint_url=endpoint
)
client.meta.events.register("before-sign.sts.GetCallerIdentity", add_server_id)
client.meta.events.register("before-send.sts.GetCallerIdentity", capture)
try:
    client.get_caller_identity()
except SystemExit:
    pass
print(base64.b64encode(json.dumps(captured["token"]).encode("utf-8")).decode("ascii"))
