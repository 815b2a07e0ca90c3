"""POST /credentials to a broker in `iam` mode, signed by botocore for execute-api.

    python iam-request.py BROKER_URL ROLE_ARN [REGION]

prints the broker's JSON answer (Credentials, AssumedRoleUser, ...). BROKER_URL is the API's
base URL including its stage, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com/prod.
Credentials come from botocore's usual chain, session credentials included.
"""

import json
import sys
import urllib.error
import urllib.request

import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest


def request_credentials(broker_url, role_arn, region):
    request = AWSRequest(
        method="POST",
        url=broker_url.rstrip("/") + "/credentials",
        data=json.dumps({"roleArn": role_arn}),
        headers={"Content-Type": "application/json"},
    )
    credentials = botocore.session.get_session().get_credentials()
    if credentials is None:
        sys.exit("iam-request.py: no AWS credentials found")
    # API Gateway's AWS_IAM authorizer verifies this signature.
    SigV4Auth(credentials.get_frozen_credentials(), "execute-api", region).add_auth(request)
    prepared = request.prepare()
    body = prepared.body.encode("utf-8") if isinstance(prepared.body, str) else prepared.body
    http_request = urllib.request.Request(
        prepared.url, data=body, headers=dict(prepared.headers.items()), method="POST"
    )
    try:
        with urllib.request.urlopen(http_request, timeout=10) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        sys.exit(f"iam-request.py: {error.code} {error.read().decode('utf-8', 'replace')}")


if __name__ == "__main__":
    if not 3 <= len(sys.argv) <= 4:
        sys.exit(__doc__)
    region = sys.argv[3] if len(sys.argv) > 3 else "us-east-1"
    print(json.dumps(request_credentials(sys.argv[1], sys.argv[2], region), indent=2))
