#include "atoll/storage/s3/s3_config.h"

#include <cstdlib>
#include <fstream>
#include <map>

namespace atl::storage {
namespace {

using Section = std::map<std::string, std::string>;

std::string GetEnv(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

// Reads section `wanted` of an INI-style AWS file. A missing file is an empty section.
Section ReadSection(const std::string& path, const std::string& wanted) {
  Section out;
  std::ifstream in(path);
  if (!in) return out;
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    std::string t = Trim(line);
    if (t.empty() || t[0] == '#' || t[0] == ';') continue;
    if (t.front() == '[' && t.back() == ']') {
      inside = Trim(std::string_view(t).substr(1, t.size() - 2)) == wanted;
      continue;
    }
    if (!inside) continue;
    size_t eq = t.find('=');
    if (eq == std::string::npos) continue;
    out[Trim(std::string_view(t).substr(0, eq))] = Trim(std::string_view(t).substr(eq + 1));
  }
  return out;
}

std::string Lookup(const Section& s, const std::string& key) {
  auto it = s.find(key);
  return it == s.end() ? std::string() : it->second;
}

}  // namespace

Result<S3Config> S3Config::FromEnvironment(std::string bucket) {
  if (bucket.empty()) return InvalidArgument("S3 bucket name is empty");
  S3Config config;
  config.bucket = std::move(bucket);

  const std::string home = GetEnv("HOME");
  std::string profile = GetEnv("AWS_PROFILE");
  if (profile.empty()) profile = "default";
  std::string credentials_file = GetEnv("AWS_SHARED_CREDENTIALS_FILE");
  if (credentials_file.empty() && !home.empty()) credentials_file = home + "/.aws/credentials";
  std::string config_file = GetEnv("AWS_CONFIG_FILE");
  if (config_file.empty() && !home.empty()) config_file = home + "/.aws/config";

  const Section cred_section =
      credentials_file.empty() ? Section() : ReadSection(credentials_file, profile);
  const Section config_section =
      config_file.empty()
          ? Section()
          : ReadSection(config_file, profile == "default" ? profile : "profile " + profile);

  // Credentials: environment, then the credentials file, then the config file; a source
  // is taken whole (never a key from one place and the secret from another).
  auto from = [&](const Section& s) {
    config.access_key_id = Lookup(s, "aws_access_key_id");
    config.secret_access_key = Lookup(s, "aws_secret_access_key");
    config.session_token = Lookup(s, "aws_session_token");
  };
  config.access_key_id = GetEnv("AWS_ACCESS_KEY_ID");
  config.secret_access_key = GetEnv("AWS_SECRET_ACCESS_KEY");
  config.session_token = GetEnv("AWS_SESSION_TOKEN");
  if (config.access_key_id.empty() || config.secret_access_key.empty()) from(cred_section);
  if (config.access_key_id.empty() || config.secret_access_key.empty()) from(config_section);
  if (config.access_key_id.empty() || config.secret_access_key.empty()) {
    return InvalidArgument(
        "no AWS credentials found for s3://", config.bucket,
        ": set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or give profile '", profile,
        "' aws_access_key_id and aws_secret_access_key in ",
        credentials_file.empty() ? std::string("~/.aws/credentials") : credentials_file, " or ",
        config_file.empty() ? std::string("~/.aws/config") : config_file);
  }

  for (const std::string& candidate :
       {GetEnv("AWS_REGION"), GetEnv("AWS_DEFAULT_REGION"), Lookup(config_section, "region")}) {
    if (!candidate.empty()) {
      config.region = candidate;
      break;
    }
  }
  for (const std::string& candidate : {GetEnv("AWS_ENDPOINT_URL_S3"), GetEnv("AWS_ENDPOINT_URL"),
                                       Lookup(config_section, "endpoint_url")}) {
    if (!candidate.empty()) {
      config.endpoint = candidate;
      break;
    }
  }
  while (!config.endpoint.empty() && config.endpoint.back() == '/') config.endpoint.pop_back();

  const std::string addressing = GetEnv("ATOLL_S3_ADDRESSING");
  if (addressing == "path") {
    config.path_style = true;
  } else if (addressing == "virtual") {
    config.path_style = false;
  } else if (addressing.empty()) {
    config.path_style = !config.endpoint.empty() || config.bucket.find('.') != std::string::npos;
  } else {
    return InvalidArgument("ATOLL_S3_ADDRESSING must be 'path' or 'virtual', not '", addressing,
                           "'");
  }
  return config;
}

}  // namespace atl::storage
