// atoll stream against a Kafka protocol endpoint (librdkafka's mock cluster, started by
// scripts/servers/kafka.sh): records produced with kcat and with the project's producer
// land in the table once each, with their metadata columns; a restart resumes from the
// table's offsets; undecodable records go to _rejected/; two consumers of one group share
// the partitions; `atoll stream status` reports offsets and lag.
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include "atoll/stream/producer.h"
#include "stream/stream_fixture.h"

namespace atl::stream::testing {
namespace {

using ::atl::cli::testing::RunAtoll;
using ::atl::cli::testing::RunResult;

class StreamCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lake_ = dir_.Join("lake");
    RunResult init = RunAtoll({"init", lake_});
    ASSERT_EQ(init.exit_code, 0) << init.err;
  }

  // Creates a topic of `partitions` on the shared test cluster.
  void CreateTopic(const std::string& control, const std::string& topic, int partitions) {
    ASSERT_EQ(Control(control, "topic " + topic + " " + std::to_string(partitions)), "ok");
  }

  std::vector<std::string> StreamArgs(const KafkaServer& k, const std::string& topic,
                                      const std::string& table) {
    // A group of the test's own, and short sessions: the mock cluster keeps a stopped
    // member until its session times out (the next join waits for it).
    return {"stream",
            lake_,
            "--brokers",
            k.brokers,
            "--topic",
            topic,
            "--table",
            table,
            "--commit-interval",
            "200ms",
            "--group",
            "g-" + topic,
            "--kafka-config",
            "session.timeout.ms=6000,heartbeat.interval.ms=500,max.poll.interval.ms=15000"};
  }

  ::atl::testing::TempDir dir_;
  std::string lake_;
};

std::vector<std::string> Numbered(int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i < to; ++i)
    out.push_back("{\"n\": " + std::to_string(i) + ", \"name\": \"r" + std::to_string(i) + "\"}");
  return out;
}

TEST_F(StreamCliTest, RecordsFromKcatAndOurProducerBecomeRowsWithKafkaColumns) {
  ATOLL_REQUIRE_KAFKA(kafka);
  const std::string topic = UniqueTopic("rows");
  CreateTopic(kafka->control, topic, 4);
  for (int p = 0; p < 4; ++p) {
    ASSERT_TRUE(ProduceWithKcat(kafka->brokers, topic, p, Numbered(p * 25, p * 25 + 25)));
  }
  ASSERT_OK_AND_ASSIGN(auto producer, Producer::Open(kafka->brokers));
  for (const std::string& v : Numbered(100, 200)) ASSERT_OK(producer->Send(topic, -1, "", v));
  ASSERT_OK(producer->Flush(30000));
  EXPECT_EQ(producer->delivered(), 100);

  std::vector<std::string> args = StreamArgs(*kafka, topic, "stg.kafka.events");
  args.push_back("--stop-at-end");
  RunResult r = RunAtoll(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string t = "stg.kafka.events";
  EXPECT_EQ(QueryNumber(lake_, "SELECT count(*) FROM " + t), 200);
  EXPECT_EQ(QueryNumber(lake_, "SELECT count(DISTINCT n) FROM " + t), 200);
  EXPECT_EQ(QueryNumber(lake_, "SELECT sum(n) FROM " + t), 199 * 200 / 2);
  EXPECT_EQ(
      QueryNumber(lake_, "SELECT count(DISTINCT (_kafka_partition, _kafka_offset)) FROM " + t),
      200);
  EXPECT_EQ(QueryNumber(lake_, "SELECT count(*) FROM " + t + " WHERE _kafka_topic = '" + topic +
                                   "' AND name = 'r' || n AND _kafka_timestamp IS NOT NULL AND "
                                   "_etl_loaded_at IS NOT NULL"),
            200);
  // kcat wrote 25 records to each partition first: offsets 0..24 hold n = p*25 + offset.
  EXPECT_EQ(QueryNumber(lake_, "SELECT count(*) FROM " + t +
                                   " WHERE _kafka_offset < 25 AND n = _kafka_partition * 25 + "
                                   "_kafka_offset"),
            100);
  auto types = QueryCsv(lake_,
                        "SELECT typeof(_kafka_partition), typeof(_kafka_offset), "
                        "typeof(_kafka_timestamp) FROM " +
                            t + " LIMIT 1");
  ASSERT_EQ(types.size(), 1u);
  EXPECT_EQ(types[0], (std::vector<std::string>{"INTEGER", "BIGINT", "TIMESTAMP WITH TIME ZONE"}));

  // status: every partition committed up to its high-water mark.
  RunResult status = RunAtoll({"stream", "status", lake_, "--brokers", kafka->brokers, "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  auto doc = nlohmann::json::parse(status.out);
  ASSERT_EQ(doc.size(), 1u);
  EXPECT_EQ(doc[0]["table"], t);
  ASSERT_EQ(doc[0]["partitions"].size(), 4u);
  int64_t committed = 0;
  for (const auto& p : doc[0]["partitions"]) {
    EXPECT_EQ(p["lag"], 0);
    EXPECT_EQ(p["committed"], p["high_watermark"]);
    committed += p["committed"].get<int64_t>();
  }
  EXPECT_EQ(committed, 200);
}

TEST_F(StreamCliTest, RestartResumesFromTheTableNotTheGroup) {
  ATOLL_REQUIRE_KAFKA(kafka);
  const std::string topic = UniqueTopic("resume");
  CreateTopic(kafka->control, topic, 2);
  ASSERT_TRUE(ProduceWithKcat(kafka->brokers, topic, 0, Numbered(0, 300)));
  ASSERT_TRUE(ProduceWithKcat(kafka->brokers, topic, 1, Numbered(300, 600)));
  const std::string t = "stg.kafka.resume";
  // A first run stops after about 100 records (one commit of 100).
  std::vector<std::string> first = StreamArgs(*kafka, topic, t);
  first.insert(first.end(), {"--max-records", "100", "--commit-rows", "100"});
  RunResult r1 = RunAtoll(first);
  ASSERT_EQ(r1.exit_code, 0) << r1.err;
  const int64_t after_first = QueryNumber(lake_, "SELECT count(*) FROM " + t);
  EXPECT_GE(after_first, 100);
  EXPECT_LT(after_first, 600);
  ASSERT_TRUE(ProduceWithKcat(kafka->brokers, topic, 1, Numbered(600, 700)));
  std::vector<std::string> second = StreamArgs(*kafka, topic, t);
  second.push_back("--stop-at-end");
  RunResult r2 = RunAtoll(second);
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  EXPECT_EQ(QueryNumber(lake_, "SELECT count(*) FROM " + t), 700);
  EXPECT_EQ(QueryNumber(lake_, "SELECT count(DISTINCT n) FROM " + t), 700);
  // Nothing new: a third run commits nothing and the table is unchanged.
  RunResult r3 = RunAtoll(second);
  ASSERT_EQ(r3.exit_code, 0) << r3.err;
  EXPECT_EQ(QueryNumber(lake_, "SELECT count(*) FROM " + t), 700);
}

TEST_F(StreamCliTest, UndecodableRecordsGoToRejectedAndTheStreamGoesOn) {
  ATOLL_REQUIRE_KAFKA(kafka);
  const std::string topic = UniqueTopic("rejects");
  CreateTopic(kafka->control, topic, 1);
  ASSERT_TRUE(ProduceWithKcat(
      kafka->brokers, topic, 0,
      {"{\"n\": 1}", "not json", "[1, 2]", "{\"n\": 2}", "{\"_kafka_offset\": 5}", "{\"n\": 3}"}));
  std::vector<std::string> args = StreamArgs(*kafka, topic, "stg.kafka.rej");
  args.push_back("--stop-at-end");
  RunResult r = RunAtoll(args);
  EXPECT_EQ(r.exit_code, 3) << r.err;  // finished, with rejects
  EXPECT_EQ(QueryNumber(lake_, "SELECT count(*) FROM stg.kafka.rej"), 3);
  EXPECT_EQ(QueryNumber(lake_, "SELECT sum(n) FROM stg.kafka.rej"), 6);
  const std::string base = lake_ + "/_rejected/stream/" + topic + "/0-";
  for (int offset : {1, 2, 4}) {
    ASSERT_TRUE(std::filesystem::exists(base + std::to_string(offset))) << offset;
    auto why = nlohmann::json::parse(
        ::atl::testing::ReadFile(base + std::to_string(offset) + ".error.json"));
    EXPECT_EQ(why["partition"], 0);
    EXPECT_EQ(why["offset"], offset);
    EXPECT_EQ(why["topic"], topic);
    EXPECT_FALSE(why["reason"].get<std::string>().empty());
  }
  EXPECT_EQ(::atl::testing::ReadFile(base + "1"), "not json");
  EXPECT_THAT(::atl::testing::ReadFile(base + "2.error.json"),
              ::testing::HasSubstr("not a JSON object"));
  EXPECT_THAT(::atl::testing::ReadFile(base + "4.error.json"),
              ::testing::HasSubstr("_kafka_offset"));
  EXPECT_FALSE(std::filesystem::exists(base + "0"));
  // The rejects are past: a second run reads nothing again.
  RunResult again = RunAtoll(args);
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(QueryNumber(lake_, "SELECT count(*) FROM stg.kafka.rej"), 3);
}

TEST_F(StreamCliTest, TwoConsumersOfOneGroupSharePartitionsExactlyOnce) {
  ATOLL_REQUIRE_KAFKA(kafka);
  const std::string topic = UniqueTopic("share");
  CreateTopic(kafka->control, topic, 4);
  const std::string t = "stg.kafka.shared";
  std::vector<std::string> args = StreamArgs(*kafka, topic, t);
  args.push_back("--json");
  Background a(args, dir_.Join("a"));
  Background b(args, dir_.Join("b"));
  ASSERT_OK_AND_ASSIGN(auto producer, Producer::Open(kafka->brokers));
  const int kRecords = 4000;
  for (int i = 0; i < kRecords; ++i) {
    ASSERT_OK(producer->Send(topic, i % 4, "", "{\"n\": " + std::to_string(i) + "}"));
    if (i % 400 == 399) {
      ASSERT_OK(producer->Flush(30000));
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
  }
  ASSERT_OK(producer->Flush(30000));
  int64_t rows = 0;
  for (int i = 0; i < 600 && rows < kRecords; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    rows = QueryNumber(lake_, "SELECT count(*) FROM " + t);
  }
  a.Signal(SIGTERM);
  b.Signal(SIGTERM);
  EXPECT_EQ(a.Wait(), 0) << a.err();
  EXPECT_EQ(b.Wait(), 0) << b.err();
  EXPECT_EQ(QueryNumber(lake_, "SELECT count(*) FROM " + t), kRecords);
  EXPECT_EQ(QueryNumber(lake_, "SELECT count(DISTINCT n) FROM " + t), kRecords);
  // Each consumer committed partitions of its own.
  auto partitions_of = [](const std::string& out) {
    std::set<std::string> parts;
    std::istringstream in(out);
    std::string line;
    while (std::getline(in, line)) {
      auto doc = nlohmann::json::parse(line, nullptr, false);
      if (doc.is_discarded() || !doc.contains("offsets")) continue;
      std::string offsets = doc["offsets"];
      std::istringstream os(offsets);
      std::string entry;
      while (std::getline(os, entry, ';')) parts.insert(entry.substr(0, entry.find('=')));
    }
    return parts;
  };
  std::set<std::string> pa = partitions_of(a.out()), pb = partitions_of(b.out());
  EXPECT_FALSE(pa.empty()) << a.err();
  EXPECT_FALSE(pb.empty()) << b.err();
  std::set<std::string> all = pa;
  all.insert(pb.begin(), pb.end());
  EXPECT_EQ(all.size(), 4u);
}

}  // namespace
}  // namespace atl::stream::testing
