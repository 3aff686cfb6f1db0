// Kizuna. Sensor exports over a real store and policy: what each principal gets, what is left
// out and why, and each format's layout.
#include "kizuna/detect/export/sensor_export.h"

#include <gtest/gtest.h>

#include <fstream>

#include "../../store/store_test_util.h"
#include "kizuna/detect/field_map.h"
#include "kizuna/detect/readers/reader.h"
#include "kizuna/detect/record.h"
#include "kizuna/policy/marking.h"

namespace kizuna::detect {
namespace {

constexpr char kJpn[] = "identity--1a000000-0000-4000-8000-00000000000a";
constexpr char kUsa[] = "identity--1b000000-0000-4000-8000-00000000000b";
constexpr char kRel[] = "marking-definition--2a000000-0000-4000-8000-000000000001";
constexpr char kRed[] = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";
constexpr int64_t kNow = 1800000000000000;  // 2027-01-15

std::string Id(int n) {
  return StrCat("indicator--3a000000-0000-4000-8000-", fmt::format("{:012d}", n));
}

// An indicator by JPN with `pattern`; `extra` is added to the object's properties.
std::string Indicator(int n, std::string_view pattern, std::string_view marking = kRel,
                      std::string_view extra = "",
                      std::string_view valid_from = "2026-01-01T00:00:00Z") {
  std::string o =
      StrCat(R"({"type":"indicator","spec_version":"2.1","id":")", Id(n),
             R"(","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z",)",
             R"("pattern":")", pattern, R"(","pattern_type":"stix","valid_from":")", valid_from,
             R"(",)", R"("created_by_ref":")", kJpn, "\"");
  if (!marking.empty()) StrAppend(o, R"(,"object_marking_refs":[")", marking, "\"]");
  if (!extra.empty()) StrAppend(o, ",", extra);
  return o + "}";
}

std::string RelToUsaJpn() {
  return StrCat(R"({"type":"marking-definition","spec_version":"2.1","id":")", kRel,
                R"(","created":"2026-01-01T00:00:00.000Z","extensions":{")",
                policy::kReleasableToExtensionId,
                R"(":{"extension_type":"property-extension","releasable_to":["USA","JPN"]}}})");
}

class SensorExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::SqliteStore::Open(dir_.File("kizuna.db"), clock_);
    ASSERT_TRUE(s.ok()) << s.status();
    db_ = std::move(*s);
    ASSERT_TRUE(db_->CreateApiRoot({"intel", "Intel", "", 0}).ok());
    auto c = db_->CreateCollection({"", "intel", "alliance", "Alliance", "", 0});
    ASSERT_TRUE(c.ok()) << c.status();
    collection_ = *c;
    ASSERT_TRUE(db_->CreateOrganization("test", {"JPN-A", "JPN", kJpn}).ok());
    ASSERT_TRUE(db_->CreateOrganization("test", {"USA-A", "USA", kUsa}).ok());
    ASSERT_TRUE(
        db_->CreateUser("test", {"us", "USA-A", static_cast<uint8_t>(identity::Role::kReader)})
            .ok());
    policy_ = std::make_unique<policy::Policy>(*db_, db_.get(), clock_);
    Add({RelToUsaJpn()});
  }

  void Add(std::vector<std::string> texts) {
    store::Objects objects;
    std::vector<store::NewObject> batch;
    for (std::string& t : texts) batch.push_back(objects.Make(std::move(t)));
    auto r = db_->AddObjects(collection_.id, batch);
    ASSERT_TRUE(r.ok()) << r.status();
  }

  SensorExport Export(SensorFormat format, const identity::Principal& who,
                      const Allowlist* allowlist = nullptr) {
    SensorExportOptions options;
    options.format = format;
    options.now_us = kNow;
    options.allowlist = allowlist;
    absl::StatusOr<SensorExport> out = ExportForSensors(*db_, *policy_, who, collection_, options);
    EXPECT_TRUE(out.ok()) << out.status();
    return out.ok() ? std::move(*out) : SensorExport{};
  }

  identity::Principal Us() { return *policy::PrincipalForUser(*db_, "us"); }

  store::TempDir dir_;
  FakeClock clock_{kNow};
  std::unique_ptr<store::SqliteStore> db_;
  store::Collection collection_;
  std::unique_ptr<policy::Policy> policy_;
};

std::string AllText(const SensorExport& e) {
  std::string all;
  for (const ExportFile& f : e.files) all += f.text;
  for (const SkippedIndicator& s : e.summary.listed) StrAppend(all, s.id, " ", s.reason, "\n");
  return all;
}

TEST_F(SensorExportTest, OnlyWhatThePolicyReleasesIsExportedOrCounted) {
  Add({Indicator(1, "[domain-name:value = 'shared.example']"),
       Indicator(2, "[domain-name:value = 'secret.example']", kRed),
       Indicator(3, "[domain-name:value = 'jpn-only.example']", ""),
       Indicator(4, "[file:size > 10]", kRed),
       Indicator(5, "[domain-name:value = 'gone.example']", kRed, R"("revoked":true)")});
  for (SensorFormat f : {SensorFormat::kZeekIntel, SensorFormat::kSuricata, SensorFormat::kRpz,
                         SensorFormat::kCsv}) {
    SCOPED_TRACE(SensorFormatName(f));
    SensorExport us = Export(f, Us());
    const std::string text = AllText(us);
    EXPECT_EQ(us.summary.read, 1);
    EXPECT_EQ(us.summary.exported, 1);
    EXPECT_TRUE(us.summary.skipped.empty());
    for (int n : {2, 3, 4, 5}) EXPECT_EQ(text.find(Id(n)), std::string::npos) << n;
    for (const char* value :
         {"secret.example", "jpn-only", "gone.example", "c2VjcmV0LmV4YW1wbGU"}) {
      EXPECT_EQ(text.find(value), std::string::npos) << value;
    }
    SensorExport all = Export(f, identity::OperatorPrincipal());
    EXPECT_EQ(all.summary.read, 5);
    EXPECT_EQ(all.summary.exported, 3);
    EXPECT_EQ(all.summary.skipped.at("revoked"), 1);
    EXPECT_EQ(all.summary.skipped.at("not-reducible"), 1);
  }
}

TEST_F(SensorExportTest, UnusableIndicatorsAreCountedAndListedWithWhy) {
  Add({Indicator(1, "[domain-name:value = 'ok.example']"),
       Indicator(2, "[domain-name:value = 'old.example']", kRel,
                 R"("valid_until":"2026-06-01T00:00:00Z")"),
       Indicator(3, "[domain-name:value = 'later.example']", kRel, "", "2030-01-01T00:00:00Z"),
       Indicator(4, "[domain-name:value = 'google.com']"),
       Indicator(5, "[domain-name:value LIKE '%.suffix.example']"),
       Indicator(6, "[domain-name:value = 'ok.example']"),
       Indicator(7,
                 "[email-addr:value = 'a@b.example'] OR [domain-name:value = 'mixed.example']")});
  Allowlist allowlist;
  allowlist.AddPlainList("google.com\n", "popular");
  allowlist.Finish();
  SensorExport e = Export(SensorFormat::kRpz, Us(), &allowlist);
  const SensorExportSummary& s = e.summary;
  EXPECT_EQ(s.read, 7);
  EXPECT_EQ(s.exported, 3);  // 1, 5, 7 (6 repeats 1's name)
  EXPECT_EQ(s.duplicate_keys, 1);
  EXPECT_EQ(s.dropped_keys, 1);  // 7's e-mail address
  EXPECT_EQ(s.skipped.at("expired"), 1);
  EXPECT_EQ(s.skipped.at("not-yet-valid"), 1);
  EXPECT_EQ(s.skipped.at("warninglist"), 1);
  EXPECT_EQ(s.warninglists.at("popular"), 1);
  std::map<std::string, std::string> why;
  for (const SkippedIndicator& i : s.listed) why[i.id] = i.reason;
  EXPECT_EQ(why[Id(2)], "expired");
  EXPECT_EQ(why[Id(3)], "not yet valid");
  EXPECT_EQ(why[Id(4)], "on warninglist 'popular'");
  EXPECT_EQ(why.size(), 3u);
  SensorExport zeek = Export(SensorFormat::kZeekIntel, Us(), &allowlist);
  EXPECT_EQ(zeek.summary.skipped.at("not-in-format"), 1);
  EXPECT_NE(AllText(zeek).find(Id(5) + " not in zeek-intel: domain suffix"), std::string::npos);
}

TEST_F(SensorExportTest, ZeekIntelFileIsReadBackByTheZeekReader) {
  Add({Indicator(1, "[domain-name:value = 'Evil.Example.com']", kRel, R"("name":"tab\there")"),
       Indicator(2,
                 "[ipv4-addr:value = '198.51.100.7' OR ipv6-addr:value ISSUBSET '2001:db8::/32']"),
       Indicator(3, "[url:value = 'http://bad.example/x']"),
       Indicator(4, "[url:value = 'https://tls.example/']")});
  SensorExport e = Export(SensorFormat::kZeekIntel, Us());
  ASSERT_EQ(e.files.size(), 1u);
  const std::string& text = e.files[0].text;
  EXPECT_TRUE(
      text.starts_with("#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\tmeta.url\n"));
  EXPECT_NE(text.find("evil.example.com\tIntel::DOMAIN\tkizuna\ttab\\x09here\t/intel/collections/"),
            std::string::npos);
  EXPECT_NE(text.find("2001:db8::/32\tIntel::SUBNET\t"), std::string::npos);
  EXPECT_NE(text.find("bad.example/x\tIntel::URL\t"), std::string::npos);
  EXPECT_EQ(text.find("tls.example"), std::string::npos);
  const std::string path = dir_.File("kizuna.intel");
  std::ofstream(path) << text;
  FieldMap map;
  ASSERT_TRUE(map.Parse("kizuna indicator host\nkizuna meta.desc file:name\n", "map").ok());
  ReaderOptions options;
  options.user_map = &map;
  auto reader = OpenTelemetry(path, TelemetryFormat::kZeek, options);
  ASSERT_TRUE(reader.ok()) << reader.status();
  RecordBatch batch;
  std::vector<std::string> values;
  uint64_t malformed = 0;
  while ((*reader)->Next(batch)) {
    malformed += batch.malformed;
    for (const FieldValue& v : batch.values) values.emplace_back(v.value);
  }
  EXPECT_EQ(malformed, 0u);
  EXPECT_EQ(values[0], "evil.example.com");
  EXPECT_EQ(values[1], "tab\there");  // the escape undone
  EXPECT_EQ(values[2], "198.51.100.7");
  EXPECT_EQ(values.size(), 8u);  // 4 lines, 2 mapped fields each
}

TEST_F(SensorExportTest, RpzOwnersAndSuricataSidsAreStable) {
  Add({Indicator(1, "[ipv6-addr:value ISSUBSET '2001:db8:0:0:1::/80']"),
       Indicator(2, "[ipv4-addr:value ISSUBSET '10.1.2.3/8']"),
       Indicator(3, "[domain-name:value LIKE '%.bad.example']")});
  std::string rpz = Export(SensorFormat::kRpz, Us()).files[0].text;
  EXPECT_NE(rpz.find("\n80.zz.1.0.0.db8.2001.rpz-ip CNAME . ;"), std::string::npos) << rpz;
  EXPECT_NE(rpz.find("\n8.0.0.0.10.rpz-ip CNAME . ;"), std::string::npos);
  EXPECT_NE(rpz.find("\n*.bad.example CNAME . ;"), std::string::npos);
  EXPECT_TRUE(rpz.find("$ORIGIN rpz.kizuna.\n") != std::string::npos);

  auto sid_of = [](const std::string& rules, std::string_view id) {
    size_t at = rules.find(StrCat("kizuna_indicator ", id, ";"));
    if (at == std::string::npos) return std::string();
    size_t sid = rules.find("sid:", at);
    return rules.substr(sid, rules.find(';', sid) - sid);
  };
  SensorExport first = Export(SensorFormat::kSuricata, Us());
  const std::string sid = sid_of(first.files[0].text, Id(2));
  ASSERT_FALSE(sid.empty()) << first.files[0].text;
  Add({Indicator(4, "[ipv4-addr:value ISSUBSET '192.0.2.0/24']"),
       Indicator(5, "[domain-name:value = 'x.example']")});
  SensorExport second = Export(SensorFormat::kSuricata, Us());
  EXPECT_EQ(sid_of(second.files[0].text, Id(2)), sid);
  EXPECT_FALSE(sid_of(second.files[0].text, Id(4)).empty());
  ASSERT_EQ(second.files.size(), 2u);
  EXPECT_EQ(second.files[1].name, "kizuna-domains.lst");
  EXPECT_EQ(second.files[1].text, "eC5leGFtcGxl\n");  // base64 of x.example
}

TEST_F(SensorExportTest, BadOptionsAreRefused) {
  SensorExportOptions options;
  EXPECT_EQ(ExportForSensors(*db_, *policy_, Us(), collection_, options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.now_us = kNow;
  options.rpz_origin = "no dot";
  absl::Status st = ExportForSensors(*db_, *policy_, Us(), collection_, options).status();
  EXPECT_NE(std::string(st.message()).find("'no dot'"), std::string::npos);
}

}  // namespace
}  // namespace kizuna::detect
