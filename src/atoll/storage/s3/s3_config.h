// S3Config: where an S3 bucket is and how to reach it (credentials, addressing,
// transfer sizes, time-outs, retries). Plain data; copy freely.
#pragma once

#include <cstdint>
#include <string>

#include "atoll/common/result.h"
#include "atoll/common/retry.h"

namespace atl::storage {

struct S3Config {
  std::string bucket;
  std::string region = "us-east-1";
  // "" = AWS (https://s3.<region>.amazonaws.com); else "http://127.0.0.1:9000" etc.
  // A path after the host is not supported.
  std::string endpoint;
  // true: https://host/bucket/key; false: https://bucket.host/key (virtual-hosted).
  bool path_style = false;

  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;

  // Objects larger than this are uploaded in parts of part_size bytes (the part size
  // grows when needed so that no upload has more than 10,000 parts). S3 requires parts
  // of at least 5 MiB, except the last.
  uint64_t multipart_threshold = 64ull << 20;
  uint64_t part_size = 16ull << 20;
  int max_parallel = 8;  // parts of one upload in flight at once

  // Payloads up to this size are signed with their SHA-256; larger ones are sent as
  // UNSIGNED-PAYLOAD (hashing them would cost a second pass over the data).
  uint64_t max_signed_payload = 1ull << 20;

  int64_t connect_timeout_ms = 10'000;
  // A transfer slower than 1 byte/s for this long is abandoned (a stalled connection).
  int64_t stall_timeout_s = 60;

  RetryPolicy retry;

  // Builds a config for `bucket` from the AWS conventions:
  //   credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, else the
  //     profile AWS_PROFILE (default "default") of AWS_SHARED_CREDENTIALS_FILE
  //     (~/.aws/credentials), else of AWS_CONFIG_FILE (~/.aws/config, "[profile x]");
  //   region: AWS_REGION, AWS_DEFAULT_REGION, the profile's `region`, else us-east-1;
  //   endpoint: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's `endpoint_url`;
  //   addressing: ATOLL_S3_ADDRESSING=path|virtual, else path-style when an endpoint is
  //     set or the bucket name contains a dot, else virtual-hosted.
  // kInvalidArgument when no credentials are found (naming every place looked at), when
  // the bucket name is empty, or when ATOLL_S3_ADDRESSING has another value.
  static Result<S3Config> FromEnvironment(std::string bucket);
};

}  // namespace atl::storage
