// The storage behaviour suite: one set of tests every Store backend must pass.
//
// A backend's test file instantiates it with one or more StoreUnderTest values:
//
//   INSTANTIATE_TEST_SUITE_P(Local, StoreBehaviourTest,
//                            ::testing::Values(LocalStoreUnderTest()),
//                            StoreUnderTestName);
//
// and compiles store_behaviour.cc (the TEST_P bodies) into the same binary.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "atoll/storage/store.h"
#include "testing/testing.h"

namespace atl::storage::testing {

// How a backend answers conditional writes (PutCondition::kIfAbsent / kIfMatch).
enum class ConditionalWrites {
  kHonoured,  // the condition is enforced (local, memory, AWS S3)
  kRefused,   // the request is refused with kNotSupported (OpenStack Swift: 501)
  kIgnored,   // the server silently ignores it (s3rver): the probe must say so
};

struct StoreUnderTest {
  std::string name;  // used in test names: letters, digits and '_' only
  // Returns a fresh, empty store (e.g. a new temp directory or a unique key prefix in
  // a bucket). Returns nullptr (with `skip_reason` set) when its server is absent.
  std::function<std::unique_ptr<Store>(std::string* skip_reason)> make;
  ConditionalWrites conditional_writes = ConditionalWrites::kHonoured;
  // Known server defects the suite tolerates, each documented where it is declared:
  // s3rver: CopyObject fails when the source key has a character that JavaScript's
  // decodeURI leaves encoded ('+', '=', '&', ';', '$', ',', ':', '@', '#', '?').
  bool copy_fails_on_plus_in_source = false;
  // s3rver: lists in file-system order, not byte order ("o/a/b" before "o/a-b"), and
  // drops a common prefix whose keys are all nested deeper ("d/y/z/3" gives no "d/y/").
  bool lists_out_of_byte_order = false;
};

// Prints a StoreUnderTest as its name in test output.
inline void PrintTo(const StoreUnderTest& s, std::ostream* os) { *os << s.name; }

// Prints the StoreUnderTest's name in parameterized test names.
inline std::string StoreUnderTestName(const ::testing::TestParamInfo<StoreUnderTest>& info) {
  return info.param.name;
}

class StoreBehaviourTest : public ::testing::TestWithParam<StoreUnderTest> {
 protected:
  void SetUp() override;
  Store& store() { return *store_; }

 private:
  std::unique_ptr<Store> store_;
};

}  // namespace atl::storage::testing
