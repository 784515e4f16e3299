// Exactly once under kill -9 and broker faults.
//
// Sweep: while our producer writes numbered records to 4 partitions, two `atoll stream`
// processes of one group are each killed (SIGKILL) at random moments and restarted, so
// that the partitions move between them again and again; afterwards a final run reads to
// the end and the table must hold every (partition, offset) exactly once.
// ATOLL_STREAM_SWEEP_RECORDS / ATOLL_STREAM_SWEEP_KILLS size it (make stream-sweep: the
// full 1,000,000 records and 50 kills; make test: 20,000 and 20).
//
// Faults (a private mock cluster): request errors on Fetch are retried and every record
// arrives once; with every broker down the stream fails after --broker-timeout, naming
// Kafka, instead of waiting for ever.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <random>
#include <thread>

#include "atoll/stream/producer.h"
#include "stream/stream_fixture.h"

namespace atl::stream::testing {
namespace {

using ::atl::cli::testing::RunAtoll;
using ::atl::cli::testing::RunResult;

// librdkafka 2.0.2's mock coordinator answers the first JoinGroup of an empty group only
// after 3 s (its group.initial.rebalance.delay.ms), and its session check, once a second,
// drops a member silent for session.timeout.ms, a member waiting in that join included:
// with a shorter session the joining member is gone before the election, its JoinGroup is
// never answered (the client gives up after max.poll.interval.ms + 3 s and rejoins the
// again empty group, for ever). So a consumer that finds its group empty needs a session of
// 3 s + 1 s of check period + 0.5 s. A join into a group that still has members (a killed one
// included, until its session ends) waits session - 1 s only, so later sweep consumers keep 2 s
// sessions and their partitions move on quickly.
constexpr int kMinSessionMs = 4500;
constexpr int kSweepSessionMs = 2000;

int64_t EnvInt(const char* name, int64_t fallback) {
  auto v = ::atl::testing::Env(name);
  return v ? std::stoll(*v) : fallback;
}

// `session_ms`: the group session; the sweep's is short, so that a killed member's partitions
// move on quickly (the mock cluster waits for a stopped member until its session ends).
// A consumer that joins an empty group needs kMinSessionMs. max.poll.interval.ms (the rebalance
// timeout; the client gives a JoinGroup that long + 3 s) is 15 s instead of the default 5 min:
// the mock itself waits for members that do not rejoin (killed ones) until their session ends.
std::vector<std::string> Args(const std::string& lake, const std::string& brokers,
                              const std::string& topic, const std::string& table,
                              int session_ms = 6000) {
  return {"stream",
          lake,
          "--brokers",
          brokers,
          "--topic",
          topic,
          "--table",
          table,
          "--group",
          "g-" + topic,
          "--commit-interval",
          "500ms",
          "--kafka-config",
          "session.timeout.ms=" + std::to_string(session_ms) +
              ",heartbeat.interval.ms=" + std::to_string(session_ms / 6) +
              ",max.poll.interval.ms=" + std::to_string(std::max(session_ms, 15000))};
}

void ExpectExactlyOnce(const std::string& lake, const std::string& table, int64_t records) {
  EXPECT_EQ(QueryNumber(lake, "SELECT count(*) FROM " + table), records);
  EXPECT_EQ(QueryNumber(lake, "SELECT count(DISTINCT n) FROM " + table), records);
  EXPECT_EQ(
      QueryNumber(lake, "SELECT count(DISTINCT (_kafka_partition, _kafka_offset)) FROM " + table),
      records);
  EXPECT_EQ(QueryNumber(lake, "SELECT count(*) FROM " + table +
                                  " WHERE n % 4 <> _kafka_partition OR n // 4 <> _kafka_offset"),
            0);
}

TEST(StreamSweepTest, KilledAndRebalancedConsumersCommitEveryRecordExactlyOnce) {
  ATOLL_REQUIRE_KAFKA(kafka);
  const int64_t records = EnvInt("ATOLL_STREAM_SWEEP_RECORDS", 20000);
  const int64_t kills = EnvInt("ATOLL_STREAM_SWEEP_KILLS", 20);
  ::atl::testing::TempDir dir;
  const std::string lake = dir.Join("lake");
  ASSERT_EQ(RunAtoll({"init", lake}).exit_code, 0);
  const std::string topic = UniqueTopic("sweep");
  ASSERT_EQ(Control(kafka->control, "topic " + topic + " 4"), "ok");
  const std::string table = "stg.kafka.sweep";

  // The producer spreads the records over the time the kills take (about 4 s each).
  std::atomic<bool> produced{false};
  Status produce_status;
  std::thread producer([&] {
    auto p = Producer::Open(kafka->brokers);
    if (!p.ok()) {
      produce_status = p.status();
      produced = true;
      return;
    }
    const int64_t chunks = std::max<int64_t>(1, kills * 2);
    const int64_t per_chunk = std::max<int64_t>(1, records / chunks);
    for (int64_t i = 0; i < records && produce_status.ok(); ++i) {
      // Record n goes to partition n % 4 at offset n / 4 (one producer, in order).
      produce_status = (*p)->Send(
          topic, static_cast<int32_t>(i % 4), "",
          "{\"n\": " + std::to_string(i) + ", \"pad\": \"" + std::string(150, 'x') + "\"}");
      if (i % per_chunk == per_chunk - 1) {
        if (produce_status.ok()) produce_status = (*p)->Flush(60000);
        std::this_thread::sleep_for(std::chrono::milliseconds(2000));
      }
    }
    if (produce_status.ok()) produce_status = (*p)->Flush(60000);
    produced = true;
  });

  std::mt19937 rng(static_cast<unsigned>(EnvInt("ATOLL_STREAM_SWEEP_SEED", 21)));
  std::uniform_int_distribution<int> pause_ms(1500, 7000);
  std::unique_ptr<Background> slots[2];
  int64_t done_kills = 0, assignments = 0, dropped = 0;
  for (int64_t k = 0; k < kills; ++k) {
    const int s = static_cast<int>(k % 2);
    if (!slots[s]) {
      // The first consumer finds the group empty.
      const int session_ms = k == 0 ? kMinSessionMs : kSweepSessionMs;
      slots[s] = std::make_unique<Background>(Args(lake, kafka->brokers, topic, table, session_ms),
                                              dir.Join("c" + std::to_string(k)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(rng)));
    if (slots[s]->Running()) ++done_kills;
    slots[s]->Signal(SIGKILL);
    slots[s]->Wait();
    const std::string err = slots[s]->err();
    for (size_t at = err.find("assigned "); at != std::string::npos;
         at = err.find("assigned ", at + 1))
      ++assignments;
    for (size_t at = err.find("batch dropped"); at != std::string::npos;
         at = err.find("batch dropped", at + 1))
      ++dropped;
    slots[s].reset();
  }
  producer.join();
  ASSERT_OK(produce_status);
  for (auto& s : slots) {
    if (s) {
      s->Signal(SIGKILL);
      s->Wait();
    }
  }
  // The killed consumers committed part of the records themselves.
  const int64_t before_final = QueryNumber(lake, "SELECT count(*) FROM " + table);
  EXPECT_GT(before_final, 0);
  std::vector<std::string> last = Args(lake, kafka->brokers, topic, table, kMinSessionMs);
  // A group of its own: the table's offsets, not the group's, say where to resume (and the
  // final run need not wait for the killed members' sessions to end).
  for (size_t i = 0; i + 1 < last.size(); ++i) {
    if (last[i] == "--group") last[i + 1] = "final-" + topic;
  }
  last.insert(last.end(), {"--stop-at-end", "--commit-rows", "200000"});
  RunResult final_run = RunAtoll(last);
  ASSERT_EQ(final_run.exit_code, 0) << final_run.err;
  std::cerr << "stream sweep: " << records << " records, " << done_kills << " of " << kills
            << " consumers killed while running, " << assignments
            << " assignments (rebalances seen), " << dropped
            << " batches dropped to another consumer's commit, " << before_final
            << " rows committed before the final run\n";
  EXPECT_GE(done_kills, kills / 2);
  ExpectExactlyOnce(lake, table, records);
}

class StreamFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ATOLL_REQUIRE_KAFKA(kafka);
    cluster_ = std::make_unique<PrivateKafka>(kafka->program, dir_.path(), 3);
    ASSERT_TRUE(cluster_->ok());
    lake_ = dir_.Join("lake");
    ASSERT_EQ(RunAtoll({"init", lake_}).exit_code, 0);
    ASSERT_EQ(Control(cluster_->server().control, "topic faults 4"), "ok");
    ASSERT_OK_AND_ASSIGN(auto p, Producer::Open(cluster_->server().brokers));
    for (int i = 0; i < 2000; ++i)
      ASSERT_OK(p->Send("faults", i % 4, "", "{\"n\": " + std::to_string(i) + "}"));
    ASSERT_OK(p->Flush(30000));
  }
  ::atl::testing::TempDir dir_;
  std::unique_ptr<PrivateKafka> cluster_;
  std::string lake_;
};

TEST_F(StreamFaultTest, RequestErrorsAreRetriedAndEveryRecordArrivesOnce) {
  const std::string& control = cluster_->server().control;
  // Fetch (API key 1): NOT_LEADER_FOR_PARTITION (6) and disconnects (-195), then a
  // FindCoordinator (10) answered COORDINATOR_NOT_AVAILABLE (15) twice.
  ASSERT_EQ(Control(control, "errors 1 6,6,-195,6,-195,6"), "ok");
  ASSERT_EQ(Control(control, "errors 10 15,15"), "ok");
  std::vector<std::string> args = Args(lake_, cluster_->server().brokers, "faults", "stg.f.t");
  args.insert(args.end(), {"--stop-at-end", "--commit-rows", "300"});
  RunResult r = RunAtoll(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectExactlyOnce(lake_, "stg.f.t", 2000);
}

TEST_F(StreamFaultTest, ABrokerDownForAWhileIsWaitedFor) {
  const std::string& control = cluster_->server().control;
  std::vector<std::string> args = Args(lake_, cluster_->server().brokers, "faults", "stg.f.t");
  args.insert(args.end(), {"--stop-at-end", "--broker-timeout", "60s"});
  ASSERT_EQ(Control(control, "down 2"), "ok");
  std::thread up([&] {
    std::this_thread::sleep_for(std::chrono::seconds(3));
    Control(control, "up 2");
  });
  RunResult r = RunAtoll(args);
  up.join();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectExactlyOnce(lake_, "stg.f.t", 2000);
}

TEST_F(StreamFaultTest, AllBrokersDownFailsLoudlyAfterTheBound) {
  const std::string& control = cluster_->server().control;
  for (int b = 1; b <= 3; ++b) ASSERT_EQ(Control(control, "down " + std::to_string(b)), "ok");
  std::vector<std::string> args = Args(lake_, cluster_->server().brokers, "faults", "stg.f.t");
  args.insert(args.end(), {"--stop-at-end", "--broker-timeout", "3s"});
  const auto start = std::chrono::steady_clock::now();
  RunResult r = RunAtoll(args);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, ::testing::HasSubstr("Kafka at"));
  EXPECT_THAT(r.err, ::testing::HasSubstr("last error"));
  EXPECT_LT(seconds, 60);
}

}  // namespace
}  // namespace atl::stream::testing
