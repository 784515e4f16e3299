// In-bucket catalog specifics: its layout, the order of the swap's requests, how store
// failures map onto the swap contract, the probe refusing unsafe stores, rename marks.
#include "atoll/catalog/in_bucket_catalog.h"

#include <functional>
#include <mutex>
#include <thread>

#include "atoll/iceberg/json_util.h"
#include "atoll/storage/fault_store.h"
#include "atoll/storage/memory_store.h"
#include "testing/testing.h"

namespace atl::iceberg {
namespace {

using catalog::InBucketCatalog;
using catalog::InBucketCatalogOptions;

using ::atl::testing::IsError;
using storage::MemoryStore;
using storage::PutCondition;

TableIdentifier Id(Namespace ns, std::string name) {
  return TableIdentifier{std::move(ns), std::move(name)};
}

// Forwards to a MemoryStore, logging calls and optionally running a hook after Head.
class RecordingStore final : public storage::Store {
 public:
  Result<std::string> Get(std::string_view key, storage::ByteRange range) override {
    Log("Get " + std::string(key));
    return inner.Get(key, range);
  }
  Result<storage::ObjectInfo> Head(std::string_view key) override {
    Log("Head " + std::string(key));
    auto r = inner.Head(key);
    if (after_head) {
      auto hook = std::move(after_head);
      after_head = nullptr;
      hook();
    }
    return r;
  }
  Result<storage::ObjectInfo> Put(std::string_view key, const storage::Body& body,
                                  const storage::PutOptions& options) override {
    std::string what = "Put " + std::string(key);
    if (options.condition == PutCondition::kIfAbsent) what += " if-absent";
    if (options.condition == PutCondition::kIfMatch) what += " if-match " + options.if_match;
    Log(what);
    return inner.Put(key, body, options);
  }
  Result<storage::ListPage> List(std::string_view prefix,
                                 const storage::ListOptions& options) override {
    Log("List " + std::string(prefix));
    return inner.List(prefix, options);
  }
  Status DeleteMany(const std::vector<std::string>& keys) override {
    return inner.DeleteMany(keys);
  }
  Result<storage::ObjectInfo> Copy(std::string_view src, std::string_view dst) override {
    return inner.Copy(src, dst);
  }
  std::string Describe() const override { return "memory://recorded"; }

  std::vector<std::string> TakeLog() {
    std::lock_guard<std::mutex> lock(mu);
    return std::exchange(log, {});
  }

  MemoryStore inner{"recorded"};
  std::function<void()> after_head;

 private:
  void Log(std::string s) {
    std::lock_guard<std::mutex> lock(mu);
    log.push_back(std::move(s));
  }
  std::mutex mu;
  std::vector<std::string> log;
};

// A store that accepts conditional writes but ignores them (s3rver), or refuses them (Swift).
class ConditionTwistingStore final : public storage::Store {
 public:
  explicit ConditionTwistingStore(bool refuse) : refuse_(refuse) {}
  Result<storage::ObjectInfo> Put(std::string_view key, const storage::Body& body,
                                  const storage::PutOptions& options) override {
    if (options.condition == PutCondition::kNone) return inner_.Put(key, body, options);
    if (refuse_) return NotSupported("conditional PUT is not implemented (501)");
    return inner_.Put(key, body, storage::PutOptions{});
  }
  Result<std::string> Get(std::string_view key, storage::ByteRange range) override {
    return inner_.Get(key, range);
  }
  Result<storage::ObjectInfo> Head(std::string_view key) override { return inner_.Head(key); }
  Result<storage::ListPage> List(std::string_view prefix,
                                 const storage::ListOptions& options) override {
    return inner_.List(prefix, options);
  }
  Status DeleteMany(const std::vector<std::string>& keys) override {
    return inner_.DeleteMany(keys);
  }
  Result<storage::ObjectInfo> Copy(std::string_view src, std::string_view dst) override {
    return inner_.Copy(src, dst);
  }
  std::string Describe() const override { return "s3://twisted"; }

 private:
  bool refuse_;
  MemoryStore inner_;
};

TEST(InBucketCatalogTest, KeepsPointersAndNamespacesWhereTheLayoutSays) {
  auto store = std::make_shared<MemoryStore>("wh");
  ASSERT_OK_AND_ASSIGN(auto catalog, InBucketCatalog::Open(store, "lakes/sales"));
  ASSERT_OK(catalog->CreateNamespace({"stg", "shop"}, {{"owner", "ana"}}));
  ASSERT_OK(catalog->CreateTable(Id({"stg", "shop"}, "orders"), "s3://wh/v1.json"));
  ASSERT_OK(catalog->SwapMetadataLocation(Id({"stg", "shop"}, "orders"), "s3://wh/v1.json",
                                          "s3://wh/v2.json"));

  ASSERT_OK_AND_ASSIGN(std::string text, store->Get("lakes/sales/_catalog/stg.shop/orders.json"));
  ASSERT_OK_AND_ASSIGN(Json pointer, json::Parse(text, "pointer"));
  EXPECT_EQ(pointer["metadata-location"], "s3://wh/v2.json");
  EXPECT_EQ(pointer["previous-metadata-location"], "s3://wh/v1.json");
  EXPECT_TRUE(pointer["updated-ms"].is_number_integer());
  EXPECT_GT(pointer["updated-ms"].get<int64_t>(), 1600000000000);

  ASSERT_OK_AND_ASSIGN(text, store->Get("lakes/sales/_catalog/stg.shop/_namespace.json"));
  ASSERT_OK_AND_ASSIGN(Json ns, json::Parse(text, "namespace"));
  EXPECT_EQ(ns["properties"]["owner"], "ana");

  ASSERT_OK_AND_ASSIGN(std::string location,
                       catalog->DefaultTableLocation(Id({"stg", "shop"}, "orders")));
  EXPECT_EQ(location, "memory://wh/lakes/sales/stg/shop/orders");
  // The probe cleaned up after itself: only the two objects are left.
  ASSERT_OK_AND_ASSIGN(auto all, storage::ListAll(*store, ""));
  EXPECT_EQ(all.size(), 2u);
}

TEST(InBucketCatalogTest, WarehouseUriOptionSetsTableLocations) {
  InBucketCatalogOptions options;
  options.warehouse_uri = "s3://bucket/lake/";
  ASSERT_OK_AND_ASSIGN(auto catalog,
                       InBucketCatalog::Open(std::make_shared<MemoryStore>(), "", options));
  ASSERT_OK_AND_ASSIGN(std::string location, catalog->DefaultTableLocation(Id({"a"}, "t")));
  EXPECT_EQ(location, "s3://bucket/lake/a/t");
}

TEST(InBucketCatalogTest, SwapReadsEtagThenContentThenWritesIfMatch) {
  auto store = std::make_shared<RecordingStore>();
  InBucketCatalogOptions options;
  options.probe = false;
  ASSERT_OK_AND_ASSIGN(auto catalog, InBucketCatalog::Open(store, "", options));
  ASSERT_OK(catalog->CreateNamespace({"db"}, {}));
  ASSERT_OK(catalog->CreateTable(Id({"db"}, "t"), "v1"));
  ASSERT_OK_AND_ASSIGN(auto info, store->inner.Head("_catalog/db/t.json"));
  store->TakeLog();
  ASSERT_OK(catalog->SwapMetadataLocation(Id({"db"}, "t"), "v1", "v2"));
  EXPECT_EQ(store->TakeLog(),
            (std::vector<std::string>{"Head _catalog/db/t.json", "Get _catalog/db/t.json",
                                      "Put _catalog/db/t.json if-match " + info.etag}));
}

TEST(InBucketCatalogTest, CommitBetweenHeadAndGetIsAConflictNotALostUpdate) {
  auto store = std::make_shared<RecordingStore>();
  InBucketCatalogOptions options;
  options.probe = false;
  ASSERT_OK_AND_ASSIGN(auto catalog, InBucketCatalog::Open(store, "", options));
  ASSERT_OK_AND_ASSIGN(auto rival, InBucketCatalog::Open(store, "", options));
  ASSERT_OK(catalog->CreateNamespace({"db"}, {}));
  ASSERT_OK(catalog->CreateTable(Id({"db"}, "t"), "v1"));
  // The rival commits v1 -> v2 and then v2 -> v1 right after our Head: the content we
  // then read names v1 again, but our etag is stale, so our write must fail.
  Status rival_status;
  store->after_head = [&] {
    rival_status = rival->SwapMetadataLocation(Id({"db"}, "t"), "v1", "v2");
    if (rival_status.ok()) rival_status = rival->SwapMetadataLocation(Id({"db"}, "t"), "v2", "v1");
  };
  EXPECT_THAT(catalog->SwapMetadataLocation(Id({"db"}, "t"), "v1", "mine"),
              IsError(StatusCode::kCommitConflict));
  ASSERT_OK(rival_status);
  ASSERT_OK_AND_ASSIGN(std::string location, catalog->LoadMetadataLocation(Id({"db"}, "t")));
  EXPECT_EQ(location, "v1");
}

TEST(InBucketCatalogTest, StoreFailuresMapOntoTheSwapContract) {
  auto fault = std::make_shared<storage::FaultStore>(std::make_shared<MemoryStore>());
  InBucketCatalogOptions options;
  options.probe = false;
  ASSERT_OK_AND_ASSIGN(auto catalog, InBucketCatalog::Open(fault, "", options));
  const TableIdentifier t = Id({"db"}, "t");
  ASSERT_OK(catalog->CreateNamespace({"db"}, {}));
  ASSERT_OK(catalog->CreateTable(t, "v1"));

  // The write timed out after reaching the store: unknown outcome (and it did happen).
  fault->ResetCounters();
  fault->SetRule(storage::FaultOp::kPut, {storage::FaultKind::kUnknownOutcome, {1}});
  EXPECT_THAT(catalog->SwapMetadataLocation(t, "v1", "v2"), IsError(StatusCode::kUnknownOutcome));
  fault->ClearRules();
  ASSERT_OK_AND_ASSIGN(std::string location, catalog->LoadMetadataLocation(t));
  EXPECT_EQ(location, "v2");

  // The write failed before reaching the store: unavailable, nothing changed.
  fault->ResetCounters();
  fault->SetRule(storage::FaultOp::kPut, {storage::FaultKind::kUnavailable, {1}});
  EXPECT_THAT(catalog->SwapMetadataLocation(t, "v2", "v3"), IsError(StatusCode::kUnavailable));
  fault->ClearRules();
  ASSERT_OK_AND_ASSIGN(location, catalog->LoadMetadataLocation(t));
  EXPECT_EQ(location, "v2");

  // A read with an "unknown outcome" had no effect: it is reported as unavailable.
  fault->ResetCounters();
  fault->SetRule(storage::FaultOp::kGet, {storage::FaultKind::kUnknownOutcome, {1}});
  EXPECT_THAT(catalog->SwapMetadataLocation(t, "v2", "v3"), IsError(StatusCode::kUnavailable));
  fault->ClearRules();
  ASSERT_OK_AND_ASSIGN(location, catalog->LoadMetadataLocation(t));
  EXPECT_EQ(location, "v2");

  // Create-if-absent that timed out after reaching the store: unknown outcome.
  fault->ResetCounters();
  fault->SetRule(storage::FaultOp::kPut, {storage::FaultKind::kUnknownOutcome, {1}});
  EXPECT_THAT(catalog->CreateTable(Id({"db"}, "u"), "u1"), IsError(StatusCode::kUnknownOutcome));
  fault->ClearRules();
  ASSERT_OK_AND_ASSIGN(location, catalog->LoadMetadataLocation(Id({"db"}, "u")));
  EXPECT_EQ(location, "u1");
}

TEST(InBucketCatalogTest, RefusesAStoreThatIgnoresConditionalWrites) {
  auto catalog = InBucketCatalog::Open(std::make_shared<ConditionTwistingStore>(false), "lake");
  ASSERT_THAT(catalog, IsError(StatusCode::kNotSupported));
  const std::string& message = catalog.status().message();
  EXPECT_NE(message.find("this store ignores conditional writes; the in-bucket catalog needs them"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("use a SQLite or PostgreSQL catalog"), std::string::npos) << message;
  EXPECT_NE(message.find("s3://twisted/lake"), std::string::npos) << message;
}

TEST(InBucketCatalogTest, RefusesAStoreThatRefusesConditionalWrites) {
  auto catalog = InBucketCatalog::Open(std::make_shared<ConditionTwistingStore>(true), "");
  ASSERT_THAT(catalog, IsError(StatusCode::kNotSupported));
  EXPECT_NE(catalog.status().message().find("this store refuses conditional writes"),
            std::string::npos)
      << catalog.status().message();
  EXPECT_NE(catalog.status().message().find("use a SQLite or PostgreSQL catalog"),
            std::string::npos);
}

TEST(InBucketCatalogTest, ProbeCanBeSkippedForStoresKnownToBeFine) {
  auto store = std::make_shared<RecordingStore>();
  InBucketCatalogOptions options;
  options.probe = false;
  ASSERT_OK_AND_ASSIGN(auto catalog, InBucketCatalog::Open(store, "", options));
  EXPECT_TRUE(store->TakeLog().empty());
  ASSERT_OK_AND_ASSIGN(auto probed, InBucketCatalog::Open(store, ""));
  EXPECT_FALSE(store->TakeLog().empty());
}

TEST(InBucketCatalogTest, ReservesTheNamespaceObjectName) {
  ASSERT_OK_AND_ASSIGN(auto catalog, InBucketCatalog::Open(std::make_shared<MemoryStore>(), ""));
  ASSERT_OK(catalog->CreateNamespace({"db"}, {}));
  EXPECT_THAT(catalog->CreateTable(Id({"db"}, "_namespace"), "v1"),
              IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(catalog->CreateTable(Id({}, "t"), "v1"), IsError(StatusCode::kInvalidArgument));
}

TEST(InBucketCatalogTest, ImplicitParentNamespacesExistAsInTheJdbcCatalog) {
  ASSERT_OK_AND_ASSIGN(auto catalog, InBucketCatalog::Open(std::make_shared<MemoryStore>(), ""));
  ASSERT_OK(catalog->CreateNamespace({"a", "b", "c"}, {}));
  ASSERT_OK_AND_ASSIGN(auto top, catalog->ListNamespaces({}));
  EXPECT_EQ(top, (std::vector<Namespace>{{"a"}}));
  ASSERT_OK_AND_ASSIGN(auto under, catalog->ListNamespaces({"a"}));
  EXPECT_EQ(under, (std::vector<Namespace>{{"a", "b"}}));
  ASSERT_OK_AND_ASSIGN(auto props, catalog->LoadNamespaceProperties({"a"}));
  EXPECT_TRUE(props.empty());
  EXPECT_THAT(catalog->CreateNamespace({"a"}, {}), IsError(StatusCode::kAlreadyExists));
  EXPECT_THAT(catalog->DropNamespace({"a"}), IsError(StatusCode::kPreconditionFailed));
  // A namespace whose name merely starts like another is not below it.
  EXPECT_THAT(catalog->LoadNamespaceProperties({"a", "bc"}), IsError(StatusCode::kNotFound));
}

TEST(InBucketCatalogTest, RenameBlocksConcurrentCommitsAndCanBeResumed) {
  auto fault = std::make_shared<storage::FaultStore>(std::make_shared<MemoryStore>());
  InBucketCatalogOptions options;
  options.probe = false;
  ASSERT_OK_AND_ASSIGN(auto catalog, InBucketCatalog::Open(fault, "", options));
  ASSERT_OK(catalog->CreateNamespace({"db"}, {}));
  ASSERT_OK(catalog->CreateTable(Id({"db"}, "src"), "v1"));

  // The target's create fails before reaching the store: the mark is undone.
  fault->ResetCounters();
  fault->SetRule(storage::FaultOp::kPut,
                 {storage::FaultKind::kUnavailable, {2}});  // 1 = mark, 2 = create
  EXPECT_THAT(catalog->RenameTable(Id({"db"}, "src"), Id({"db"}, "dst")),
              IsError(StatusCode::kUnavailable));
  fault->ClearRules();
  ASSERT_OK_AND_ASSIGN(std::string location, catalog->LoadMetadataLocation(Id({"db"}, "src")));
  EXPECT_EQ(location, "v1");
  ASSERT_OK(catalog->SwapMetadataLocation(Id({"db"}, "src"), "v1", "v2"));

  // The create's outcome is unknown: the source stays marked (it reads as not found and
  // refuses commits) until the rename is repeated.
  fault->ResetCounters();
  fault->SetRule(storage::FaultOp::kPut, {storage::FaultKind::kUnknownOutcome, {2}});
  EXPECT_THAT(catalog->RenameTable(Id({"db"}, "src"), Id({"db"}, "dst")),
              IsError(StatusCode::kUnknownOutcome));
  fault->ClearRules();
  EXPECT_THAT(catalog->LoadMetadataLocation(Id({"db"}, "src")), IsError(StatusCode::kNotFound));
  EXPECT_THAT(catalog->SwapMetadataLocation(Id({"db"}, "src"), "v2", "v3"),
              IsError(StatusCode::kNotFound));
  EXPECT_THAT(catalog->RenameTable(Id({"db"}, "src"), Id({"db"}, "other")),
              IsError(StatusCode::kNotFound));
  ASSERT_OK(catalog->RenameTable(Id({"db"}, "src"), Id({"db"}, "dst")));
  ASSERT_OK_AND_ASSIGN(location, catalog->LoadMetadataLocation(Id({"db"}, "dst")));
  EXPECT_EQ(location, "v2");
  ASSERT_OK_AND_ASSIGN(auto tables, catalog->ListTables({"db"}));
  EXPECT_EQ(tables, (std::vector<TableIdentifier>{Id({"db"}, "dst")}));
}

TEST(InBucketCatalogTest, ConcurrentPropertyUpdatesAreAllApplied) {
  ASSERT_OK_AND_ASSIGN(auto catalog, InBucketCatalog::Open(std::make_shared<MemoryStore>(), ""));
  ASSERT_OK(catalog->CreateNamespace({"db"}, {}));
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      EXPECT_OK(catalog->UpdateNamespaceProperties({"db"}, {{"k" + std::to_string(i), "v"}}, {}));
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_OK_AND_ASSIGN(auto props, catalog->LoadNamespaceProperties({"db"}));
  EXPECT_EQ(props.size(), 8u);
}

}  // namespace
}  // namespace atl::iceberg
