#include "atoll/storage/s3/http.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace atl::storage::http {
namespace {

// Bodies larger than this wait (up to 1 s) for "100 Continue" before being sent.
constexpr uint64_t kWaitForContinueAbove = 1ull << 20;
// Larger receive buffers mean fewer callbacks on big downloads.
constexpr long kReceiveBuffer = 512L << 10;
// The most memory reserved up front from a Content-Length header.
constexpr uint64_t kMaxReserve = 1ull << 30;

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct UploadState {
  const Body* body;
  uint64_t offset;
  uint64_t remaining;
  Status error;        // a failed Body::ReadAt
  uint64_t start = 0;  // the body's first byte and length, for rewinding
  uint64_t length = 0;
};

// curl rewinds the body when it must send the request again (a reused connection that
// the server had closed, a redirect, an authentication round): without this it fails
// with "rewinding of the data stream failed".
int SeekBody(void* userdata, curl_off_t offset, int origin) {
  auto* state = static_cast<UploadState*>(userdata);
  if (origin != SEEK_SET || offset < 0 || static_cast<uint64_t>(offset) > state->length) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  state->offset = state->start + static_cast<uint64_t>(offset);
  state->remaining = state->length - static_cast<uint64_t>(offset);
  return CURL_SEEKFUNC_OK;
}

size_t ReadBody(char* buffer, size_t size, size_t nitems, void* userdata) {
  auto* state = static_cast<UploadState*>(userdata);
  size_t n = static_cast<size_t>(std::min<uint64_t>(size * nitems, state->remaining));
  if (n == 0) return 0;
  Status st = state->body->ReadAt(state->offset, n, buffer);
  if (!st.ok()) {
    state->error = st;
    return CURL_READFUNC_ABORT;
  }
  state->offset += n;
  state->remaining -= n;
  return n;
}

size_t WriteBody(char* data, size_t size, size_t nmemb, void* userdata) {
  static_cast<std::string*>(userdata)->append(data, size * nmemb);
  return size * nmemb;
}

// Collects the headers, and reserves room for the body once its length is known.
struct HeaderState {
  HeaderList* headers;
  std::string* body;
};

size_t WriteHeader(char* data, size_t size, size_t nitems, void* userdata) {
  auto* state = static_cast<HeaderState*>(userdata);
  HeaderList* headers = state->headers;
  std::string_view line(data, size * nitems);
  if (line.starts_with("HTTP/")) {
    headers->clear();  // a new response (after "100 Continue" or a redirect)
    return size * nitems;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * nitems;
  std::string name(line.substr(0, colon));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
    value.remove_suffix(1);
  }
  if (name == "content-length") {
    uint64_t length = std::strtoull(std::string(value).c_str(), nullptr, 10);
    if (length <= kMaxReserve) state->body->reserve(length);
  }
  headers->emplace_back(std::move(name), std::string(value));
  return size * nitems;
}

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

}  // namespace

std::string Response::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (n == name) return v;
  }
  return "";
}

HttpClient::HttpClient(Timeouts timeouts) : timeouts_(timeouts) { GlobalInitOnce(); }

HttpClient::~HttpClient() {
  for (void* h : idle_) curl_easy_cleanup(static_cast<CURL*>(h));
}

void* HttpClient::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      void* h = idle_.back();
      idle_.pop_back();
      return h;
    }
  }
  return curl_easy_init();
}

void HttpClient::Release(void* handle) {
  std::lock_guard<std::mutex> lock(mu_);
  idle_.push_back(handle);
}

Result<Response> HttpClient::Send(const Request& request) {
  CURL* curl = static_cast<CURL*>(Acquire());
  if (curl == nullptr) return Internal("curl_easy_init failed");
  // curl_easy_reset clears the options but keeps the handle's open connections.
  curl_easy_reset(curl);

  Response response;
  UploadState upload{request.body, request.body_offset, request.body_length,
                     Status::OK(), request.body_offset, request.body_length};
  std::unique_ptr<curl_slist, SlistDeleter> header_list;
  for (const auto& [name, value] : request.headers) {
    std::string line = name + ": " + value;
    curl_slist* appended = curl_slist_append(header_list.get(), line.c_str());
    if (appended == nullptr) {
      Release(curl);
      return Internal("curl_slist_append failed");
    }
    header_list.release();
    header_list.reset(appended);
  }

  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeouts_.connect_ms));
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, static_cast<long>(timeouts_.stall_s));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list.get());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, WriteHeader);
  HeaderState header_state{&response.headers, &response.body};
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &header_state);
  curl_easy_setopt(curl, CURLOPT_BUFFERSIZE, kReceiveBuffer);
  if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.body != nullptr || request.method == "PUT" || request.method == "POST") {
    // Every request with a body is an "upload" with a known length, so curl never
    // falls back to chunked encoding (which S3 refuses) or form encoding.
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(upload.remaining));
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadBody);
    curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
    curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, SeekBody);
    curl_easy_setopt(curl, CURLOPT_SEEKDATA, &upload);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    const long expect_wait_ms = upload.remaining > kWaitForContinueAbove ? 1000L : 0L;
    curl_easy_setopt(curl, CURLOPT_EXPECT_100_TIMEOUT_MS, expect_wait_ms);
  } else if (request.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }

  CURLcode rc = curl_easy_perform(curl);
  curl_off_t pretransfer_us = 0;
  curl_easy_getinfo(curl, CURLINFO_PRETRANSFER_TIME_T, &pretransfer_us);
  if (rc == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  Release(curl);

  if (!upload.error.ok()) return upload.error.WithContext("reading the request body");
  if (rc != CURLE_OK) {
    std::string what = StrCat(request.method, " ", request.url, ": ", curl_easy_strerror(rc));
    bool never_sent = rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_CONNECT ||
                      rc == CURLE_COULDNT_RESOLVE_PROXY || pretransfer_us == 0;
    if (never_sent) return Unavailable(what, " (the request was not sent)");
    return UnknownOutcome(what, " (no complete answer; the server may have acted on it)");
  }
  return response;
}

}  // namespace atl::storage::http
