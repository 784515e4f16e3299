#include "atoll/engine/scalar_function.h"

#include "testing/testing.h"

namespace atl::engine {
namespace {

using ::atl::testing::IsError;

TEST(ScalarFunctionTest, CallsTheOverloadForTheArgumentTypeAndKeepsNulls) {
  EngineOptions options;
  options.threads = 2;
  ASSERT_OK_AND_ASSIGN(auto engine, Engine::Open(options));
  Int32Function fn;
  fn.name = "probe";
  fn.of_int64 = [](int64_t v) { return static_cast<int32_t>(v % 1000); };
  fn.of_int128 = [](__int128 v) { return static_cast<int32_t>(v >> 100); };
  fn.of_bytes = [](std::string_view b) { return static_cast<int32_t>(b.size()) * 10; };
  ASSERT_OK(RegisterInt32Function(*engine, fn));
  ASSERT_OK_AND_ASSIGN(
      QueryResult r,
      engine->Query(
          "SELECT probe(123456::BIGINT), probe(7::INTEGER), probe((1::HUGEINT << 101) + 5), "
          "probe('héllo'), probe('\\x00\\x01'::BLOB), probe(NULL::VARCHAR), "
          "(SELECT sum(probe(i)) FROM range(100000) t(i))"));
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0], (Row{"456", "7", "2", "60", "20", std::nullopt, "49950000"}));
  // NULLs in a larger vector stay NULL row by row.
  ASSERT_OK_AND_ASSIGN(
      r, engine->Query("SELECT count(probe(CASE WHEN i % 3 = 0 THEN NULL ELSE i END)) "
                       "FROM range(10000) t(i)"));
  EXPECT_EQ(r.rows[0][0], "6666");
  EXPECT_THAT(RegisterInt32Function(*engine, fn), IsError(StatusCode::kAlreadyExists));
  EXPECT_THAT(RegisterInt32Function(*engine, Int32Function{"empty", {}, {}, {}}),
              IsError(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace atl::engine
