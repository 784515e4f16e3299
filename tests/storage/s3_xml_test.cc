// Parsing the S3 XML answers (entities decode, paging fields, per-key errors) and
// writing request bodies (escaped).
#include "atoll/storage/s3/s3_xml.h"

#include "testing/testing.h"

namespace atl::storage::s3xml {
namespace {

using ::atl::testing::IsError;
using ::testing::ElementsAre;

TEST(S3XmlTest, ParsesListObjectsV2WithEntitiesAndPaging) {
  const std::string xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>b</Name><Prefix>a&amp;b/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
  <IsTruncated>true</IsTruncated>
  <Contents><Key>a&amp;b/x &lt;1&gt; &quot;q&quot; &#233;</Key><LastModified>2024-02-03T04:05:06.789Z</LastModified>
    <ETag>&quot;abc123&quot;</ETag><Size>42</Size><StorageClass>STANDARD</StorageClass></Contents>
  <Contents><Key>a&amp;b/y</Key><LastModified>2024-02-03T04:05:06Z</LastModified><ETag>"def-2"</ETag><Size>7</Size></Contents>
  <CommonPrefixes><Prefix>a&amp;b/sub/</Prefix></CommonPrefixes>
  <NextContinuationToken>1/tok+en==</NextContinuationToken>
</ListBucketResult>)";
  ASSERT_OK_AND_ASSIGN(ListResult r, ParseListObjectsV2(xml));
  ASSERT_EQ(r.page.objects.size(), 2u);
  EXPECT_EQ(r.page.objects[0].key, "a&b/x <1> \"q\" \xc3\xa9");
  EXPECT_EQ(r.page.objects[0].size, 42u);
  EXPECT_EQ(r.page.objects[0].etag, "abc123");
  EXPECT_EQ(r.page.objects[0].mtime_ms, 1706933106789);
  EXPECT_EQ(r.page.objects[1].etag, "def-2");
  EXPECT_EQ(r.page.objects[1].mtime_ms, 1706933106000);
  EXPECT_THAT(r.page.common_prefixes, ElementsAre("a&b/sub/"));
  EXPECT_EQ(r.page.next_token, "1/tok+en==");
}

TEST(S3XmlTest, LastPageHasNoToken) {
  ASSERT_OK_AND_ASSIGN(
      ListResult r,
      ParseListObjectsV2(
          "<ListBucketResult><IsTruncated>false</IsTruncated><NextContinuationToken>x</"
          "NextContinuationToken></ListBucketResult>"));
  EXPECT_TRUE(r.page.objects.empty());
  EXPECT_EQ(r.page.next_token, "");
}

TEST(S3XmlTest, RejectsMalformedOrUnexpectedXml) {
  EXPECT_THAT(ParseListObjectsV2("<ListBucketResult><Contents>"), IsError(StatusCode::kCorruption));
  EXPECT_THAT(ParseListObjectsV2("<Error><Code>X</Code></Error>"),
              IsError(StatusCode::kCorruption));
  EXPECT_THAT(ParseListObjectsV2(""), IsError(StatusCode::kCorruption));
}

TEST(S3XmlTest, ParsesErrorBodies) {
  ErrorBody e = ParseError(
      "<?xml version='1.0' encoding='UTF-8'?>\n<Error><Code>NoSuchKey</Code><Message>The key &amp; "
      "more</Message>"
      "<Key>k</Key></Error>");
  EXPECT_EQ(e.code, "NoSuchKey");
  EXPECT_EQ(e.message, "The key & more");
  EXPECT_EQ(ParseError("").code, "");
  EXPECT_EQ(ParseError("<html>oops").code, "");
}

TEST(S3XmlTest, ParsesMultipartAndCopyAnswers) {
  EXPECT_EQ(ParseInitiateMultipartUpload("<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</"
                                         "Key><UploadId>id&amp;1</UploadId>"
                                         "</InitiateMultipartUploadResult>")
                .value_or("?"),
            "id&1");
  EXPECT_THAT(ParseInitiateMultipartUpload("<InitiateMultipartUploadResult/>"),
              IsError(StatusCode::kCorruption));
  ASSERT_OK_AND_ASSIGN(
      ResultOrError done,
      ParseCompleteOrCopy("<CompleteMultipartUploadResult><Location>l</Location><ETag>\"abc-3\"</"
                          "ETag></CompleteMultipartUploadResult>"));
  EXPECT_EQ(done.etag, "abc-3");
  EXPECT_TRUE(done.error.code.empty());
  ASSERT_OK_AND_ASSIGN(
      ResultOrError failed,
      ParseCompleteOrCopy("<Error><Code>InternalError</Code><Message>try again</Message></Error>"));
  EXPECT_EQ(failed.error.code, "InternalError");
  ASSERT_OK_AND_ASSIGN(
      ResultOrError copied,
      ParseCompleteOrCopy("<CopyObjectResult><LastModified>2024-01-01T00:00:00.000Z</"
                          "LastModified><ETag>&quot;e&quot;</ETag></CopyObjectResult>"));
  EXPECT_EQ(copied.etag, "e");
  EXPECT_EQ(copied.mtime_ms, 1704067200000);
}

TEST(S3XmlTest, ParsesPerKeyDeleteErrors) {
  ASSERT_OK_AND_ASSIGN(
      auto errors, ParseDeleteResult("<DeleteResult><Deleted><Key>a</Key></"
                                     "Deleted><Error><Key>b&amp;c</Key><Code>AccessDenied</Code>"
                                     "<Message>no</Message></Error></DeleteResult>"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "b&c");
  EXPECT_EQ(errors[0].code, "AccessDenied");
  ASSERT_OK_AND_ASSIGN(auto none, ParseDeleteResult("<DeleteResult/>"));
  EXPECT_TRUE(none.empty());
}

TEST(S3XmlTest, EscapesRequestBodies) {
  std::vector<std::string> keys = {"skip", "a&b<c>\"d'", "x"};
  EXPECT_EQ(DeleteObjectsBody(keys, 1, 3),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Delete><Quiet>true</Quiet>"
            "<Object><Key>a&amp;b&lt;c&gt;&quot;d&apos;</Key></Object><Object><Key>x</Key></"
            "Object></Delete>");
  EXPECT_EQ(CompleteMultipartBody({{1, "e1"}, {2, "e2"}}),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><CompleteMultipartUpload>"
            "<Part><PartNumber>1</PartNumber><ETag>\"e1\"</ETag></Part>"
            "<Part><PartNumber>2</PartNumber><ETag>\"e2\"</ETag></Part></CompleteMultipartUpload>");
}

TEST(S3XmlTest, DecodesUrlEncodedKeysOnlyWhenTheAnswerSaysSo) {
  // Swift's s3api with encoding-type=url: keys and common prefixes are percent-encoded,
  // the continuation token is opaque.
  ASSERT_OK_AND_ASSIGN(ListResult encoded, ParseListObjectsV2(R"(<ListBucketResult>
    <EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>
    <NextContinuationToken>tok%41+</NextContinuationToken>
    <CommonPrefixes><Prefix>d/ctrl%01</Prefix></CommonPrefixes>
    <Contents><Key>d/new%0Aline%2541+x</Key></Contents></ListBucketResult>)"));
  ASSERT_EQ(encoded.page.objects.size(), 1u);
  EXPECT_EQ(encoded.page.objects[0].key, "d/new\nline%41+x");
  EXPECT_THAT(encoded.page.common_prefixes, ElementsAre("d/ctrl\x01"));
  EXPECT_EQ(encoded.page.next_token, "tok%41+");
  // A server that ignored the parameter: a literal '%' stays.
  ASSERT_OK_AND_ASSIGN(
      ListResult plain,
      ParseListObjectsV2(
          "<ListBucketResult><Contents><Key>d/pct%41x</Key></Contents></ListBucketResult>"));
  ASSERT_EQ(plain.page.objects.size(), 1u);
  EXPECT_EQ(plain.page.objects[0].key, "d/pct%41x");
  EXPECT_THAT(ParseListObjectsV2("<ListBucketResult><EncodingType>url</EncodingType>"
                                 "<Contents><Key>d/bad%4</Key></Contents></ListBucketResult>"),
              IsError(StatusCode::kCorruption));
}

TEST(S3XmlTest, ReadsRawControlCharactersThatXmlCannotHold) {
  // s3rver ignores encoding-type=url and writes keys raw; error answers quote keys too.
  const std::string key = "d/ctrl\x01\x1b[1m\tx\nz\x7f\xEE\x80\x80pua\x1f";
  ASSERT_OK_AND_ASSIGN(
      ListResult r,
      ParseListObjectsV2(
          "<ListBucketResult><Contents><Key>" + key +
          "</Key><Size>3</Size></Contents>"
          "<CommonPrefixes><Prefix>d/\x02/</Prefix></CommonPrefixes></ListBucketResult>"));
  ASSERT_EQ(r.page.objects.size(), 1u);
  EXPECT_EQ(r.page.objects[0].key, key);
  EXPECT_EQ(r.page.objects[0].size, 3u);
  EXPECT_THAT(r.page.common_prefixes, ElementsAre("d/\x02/"));
  ErrorBody e =
      ParseError("<Error><Code>NoSuchKey</Code><Key>a\x01</Key><Message>m\x02</Message></Error>");
  EXPECT_EQ(e.code, "NoSuchKey");
  EXPECT_EQ(e.message, "m\x02");
}

TEST(S3XmlTest, DeleteBodiesKeepWhitespaceInKeysAndRefuseOtherControls) {
  EXPECT_EQ(DeleteObjectsBody({"t\tn\nr\r"}, 0, 1),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Delete><Quiet>true</Quiet>"
            "<Object><Key>t&#9;n&#10;r&#13;</Key></Object></Delete>");
  EXPECT_TRUE(XmlCanHold("t\tn\nr\r\x7f"));
  EXPECT_FALSE(XmlCanHold("a\x01"));
  EXPECT_FALSE(XmlCanHold("a\x1f"));
}

}  // namespace
}  // namespace atl::storage::s3xml
