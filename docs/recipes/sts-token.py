"""X-RoleBroker-Identity token for a broker in `sts` mode, built and signed by botocore.

    python sts-token.py SERVER_ID [REGION [STS_ENDPOINT]]

prints the header's value. Credentials come from botocore's usual chain (environment,
~/.aws, container or instance role), session credentials included. Nothing is sent to STS:
the broker forwards the signed request.
"""

import base64
import json
import sys

import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

BODY = "Action=GetCallerIdentity&Version=2011-06-15"


def identity_token(server_id, region, endpoint=None):
    endpoint = endpoint or f"https://sts.{region}.amazonaws.com"
    url = endpoint.rstrip("/") + "/"
    request = AWSRequest(
        method="POST",
        url=url,
        data=BODY,
        headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            # Signed in, so the token is worth nothing to a broker with another server id.
            "X-RoleBroker-Server-Id": server_id,
        },
    )
    credentials = botocore.session.get_session().get_credentials()
    if credentials is None:
        sys.exit("sts-token.py: no AWS credentials found")
    # Adds X-Amz-Date, X-Amz-Security-Token (session credentials) and Authorization.
    SigV4Auth(credentials.get_frozen_credentials(), "sts", region).add_auth(request)
    token = {"method": "POST", "url": url, "headers": dict(request.headers.items()), "body": BODY}
    return base64.b64encode(json.dumps(token).encode("utf-8")).decode("ascii")


if __name__ == "__main__":
    if not 2 <= len(sys.argv) <= 4:
        sys.exit(__doc__)
    server_id = sys.argv[1]
    region = sys.argv[2] if len(sys.argv) > 2 else "us-east-1"
    endpoint = sys.argv[3] if len(sys.argv) > 3 else None
    print(identity_token(server_id, region, endpoint))
