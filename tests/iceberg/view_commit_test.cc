// Iceberg views in a catalog (view_commit.h): create, load, commit a new version, and the
// losing side of two concurrent replacements.
#include "atoll/iceberg/commit/view_commit.h"

#include <gtest/gtest.h>

#include "iceberg/table_test_util.h"
#include "testing/testing.h"

namespace atl::iceberg {
namespace {

using ::atl::testing::IsError;

ViewVersionSpec Select(const std::string& sql) {
  ViewVersionSpec v;
  v.schema = Schema(0, {NestedField{1, "x", false, Type::Long(), {}, {}, {}}});
  v.representations = {ViewRepresentation::Sql(sql, "duckdb")};
  v.default_namespace = {"db"};
  return v;
}

class ViewCommitTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_OK(catalog_.CreateNamespace({"db"}, {})); }
  std::shared_ptr<storage::MemoryStore> store_ = std::make_shared<storage::MemoryStore>("wh");
  std::shared_ptr<FileIO> io_ = testing::MountedIO(store_);
  catalog::MemoryCatalog catalog_{"mem://wh"};
  const TableIdentifier id_{{"db"}, "v"};
};

TEST_F(ViewCommitTest, CreatesLoadsAndCommitsVersions) {
  ASSERT_OK_AND_ASSIGN(ViewMetadata md, NewViewMetadata("mem://wh/db/v", Select("SELECT 1 AS x"),
                                                        {}, "uuid-1", 1000));
  ASSERT_OK_AND_ASSIGN(LoadedView created, CreateIcebergView(catalog_, *io_, id_, md));
  EXPECT_THAT(created.metadata_location, ::testing::StartsWith("mem://wh/db/v/metadata/00000-"));
  ASSERT_OK_AND_ASSIGN(LoadedView loaded, LoadIcebergView(catalog_, *io_, id_));
  EXPECT_EQ(loaded.metadata, md);
  ASSERT_OK_AND_ASSIGN(ViewMetadata next,
                       ReplaceViewVersion(loaded.metadata, Select("SELECT 2 AS x"), 2000));
  ASSERT_OK_AND_ASSIGN(LoadedView committed, CommitIcebergView(catalog_, *io_, id_, loaded, next));
  EXPECT_THAT(committed.metadata_location, ::testing::StartsWith("mem://wh/db/v/metadata/00001-"));
  ASSERT_OK_AND_ASSIGN(loaded, LoadIcebergView(catalog_, *io_, id_));
  EXPECT_EQ(loaded.metadata.current_version_id, 2);
  // A second create of the name leaves no file behind.
  EXPECT_THAT(CreateIcebergView(catalog_, *io_, id_, md), IsError(StatusCode::kAlreadyExists));
  ASSERT_OK_AND_ASSIGN(auto files, io_->List("mem://wh/db/v/metadata"));
  EXPECT_EQ(files.size(), 2u);
}

TEST_F(ViewCommitTest, TheLoserOfTwoReplacementsConflictsAndLeavesNoFile) {
  ASSERT_OK_AND_ASSIGN(ViewMetadata md, NewViewMetadata("mem://wh/db/v", Select("SELECT 1 AS x"),
                                                        {}, "uuid-1", 1000));
  ASSERT_OK(CreateIcebergView(catalog_, *io_, id_, md).status());
  ASSERT_OK_AND_ASSIGN(LoadedView a, LoadIcebergView(catalog_, *io_, id_));
  ASSERT_OK_AND_ASSIGN(LoadedView b, LoadIcebergView(catalog_, *io_, id_));
  ASSERT_OK_AND_ASSIGN(ViewMetadata a_next, ReplaceViewVersion(a.metadata, Select("SELECT 2"), 2));
  ASSERT_OK_AND_ASSIGN(ViewMetadata b_next, ReplaceViewVersion(b.metadata, Select("SELECT 3"), 3));
  ASSERT_OK(CommitIcebergView(catalog_, *io_, id_, a, a_next).status());
  EXPECT_THAT(CommitIcebergView(catalog_, *io_, id_, b, b_next),
              IsError(StatusCode::kCommitConflict));
  ASSERT_OK_AND_ASSIGN(LoadedView now, LoadIcebergView(catalog_, *io_, id_));
  EXPECT_EQ(now.metadata.CurrentVersion()->SqlFor("duckdb")->sql, "SELECT 2");
  ASSERT_OK_AND_ASSIGN(auto files, io_->List("mem://wh/db/v/metadata"));
  EXPECT_EQ(files.size(), 2u);  // the first and the winner's
  // A metadata file that is not view metadata is kCorruption naming it.
  ASSERT_OK(io_->Write(now.metadata_location, "{\"format-version\": 1}").status());
  Result<LoadedView> broken = LoadIcebergView(catalog_, *io_, id_);
  ASSERT_THAT(broken, IsError(StatusCode::kCorruption));
  EXPECT_THAT(broken.status().message(), ::testing::HasSubstr(now.metadata_location));
}

}  // namespace
}  // namespace atl::iceberg
