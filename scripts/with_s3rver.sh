#!/usr/bin/env bash
# with_s3rver.sh BUCKET COMMAND [ARGS...] - runs COMMAND against a fresh s3rver on
# loopback (scripts/servers/s3rver.sh, state in .state/with-s3rver) with the AWS_*
# variables of the server set and BUCKET created, then stops the server whatever happens.
# For the make targets of the S3 sweeps.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUCKET=${1:?usage: with_s3rver.sh BUCKET COMMAND [ARGS...]}
shift
STATE=$ROOT/.state/with-s3rver
trap '"$ROOT/scripts/servers/s3rver.sh" stop "$STATE" > /dev/null 2>&1 || true' EXIT
env_lines=$("$ROOT/scripts/servers/s3rver.sh" start "$STATE")
eval "$env_lines"
export AWS_ENDPOINT_URL=$ATOLL_TEST_S3RVER_ENDPOINT AWS_ACCESS_KEY_ID=$ATOLL_TEST_S3RVER_ACCESS_KEY \
  AWS_SECRET_ACCESS_KEY=$ATOLL_TEST_S3RVER_SECRET_KEY AWS_REGION=$ATOLL_TEST_S3RVER_REGION
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL_S3
/usr/bin/aws --endpoint-url "$AWS_ENDPOINT_URL" s3 mb "s3://$BUCKET" > /dev/null
"$@"
