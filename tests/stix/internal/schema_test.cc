// Kizuna.
#include "kizuna/stix/internal/schema.h"

#include <gtest/gtest.h>

#include <map>

#include "kizuna/stix/object.h"

namespace kizuna::stix_internal {
namespace {

TEST(SchemaTest, EveryStandardTypeHasATable) {
  std::map<SpecClass, int> counts;
  for (const ObjectSpec& spec : kTypes) {
    ++counts[spec.spec_class];
    // The table and object.h agree on what kind of object each type is.
    stix::ObjectKind kind = stix::KindOfType(spec.name);
    switch (spec.spec_class) {
      case SpecClass::kSdo:
        EXPECT_EQ(kind, stix::ObjectKind::kSdo) << spec.name;
        break;
      case SpecClass::kSro:
        EXPECT_EQ(kind, stix::ObjectKind::kSro) << spec.name;
        break;
      case SpecClass::kSco:
        EXPECT_EQ(kind, stix::ObjectKind::kSco) << spec.name;
        break;
      case SpecClass::kMeta:
        EXPECT_EQ(kind, stix::ObjectKind::kMeta) << spec.name;
        break;
      default:
        ADD_FAILURE() << spec.name;
    }
    EXPECT_EQ(FindType(spec.name), &spec);
  }
  EXPECT_EQ(counts[SpecClass::kSdo], 19);
  EXPECT_EQ(counts[SpecClass::kSro], 2);
  EXPECT_EQ(counts[SpecClass::kSco], 18);
  EXPECT_EQ(counts[SpecClass::kMeta], 3);
  EXPECT_EQ(FindType("x-mitre-tactic"), nullptr);
  EXPECT_EQ(kCustomType.spec_class, SpecClass::kCustom);
}

TEST(SchemaTest, PropertiesAreSortedAndLookupsWork) {
  auto check = [](const ObjectSpec& spec) {
    ASSERT_LE(spec.properties.size(), static_cast<size_t>(kMaxProperties)) << spec.name;
    for (size_t i = 0; i < spec.properties.size(); ++i) {
      if (i > 0) {
        EXPECT_LT(spec.properties[i - 1].name, spec.properties[i].name) << spec.name;
      }
      EXPECT_EQ(FindProperty(spec, spec.properties[i].name), static_cast<int>(i));
    }
    for (uint8_t i : spec.required) EXPECT_LT(i, spec.properties.size()) << spec.name;
    EXPECT_LE(spec.captured.size(), static_cast<size_t>(kMaxSlots)) << spec.name;
    EXPECT_EQ(FindProperty(spec, "no_such_property"), -1);
  };
  for (const ObjectSpec& spec : kTypes) check(spec);
  for (const ObjectSpec& spec : kStructs) check(spec);
  for (const ObjectSpec& spec : kExtensions) check(spec);
  check(kCustomType);
}

TEST(SchemaTest, ExtensionsBelongToTheirTypes) {
  const ObjectSpec* ntfs = FindExtension("ntfs-ext");
  ASSERT_NE(ntfs, nullptr);
  EXPECT_EQ(ntfs->owner, "file");
  EXPECT_EQ(kExtensions.size(), 12u);
  for (const ObjectSpec& ext : kExtensions) EXPECT_NE(FindType(ext.owner), nullptr) << ext.name;
  EXPECT_EQ(FindExtension("x-acme-ext"), nullptr);
}

TEST(SchemaTest, TargetClasses) {
  const TargetClass* sdo = nullptr;
  const TargetClass* endpoint = nullptr;
  for (const TargetClass& c : kClasses) {
    if (c.name == "SDO or custom object") sdo = &c;
    if (c.name == "ipv4-addr or ipv6-addr or mac-addr or domain-name") endpoint = &c;
  }
  ASSERT_NE(sdo, nullptr);
  ASSERT_NE(endpoint, nullptr);
  EXPECT_TRUE(ClassAccepts(*sdo, "indicator"));
  EXPECT_TRUE(ClassAccepts(*sdo, "x-mitre-tactic"));
  EXPECT_FALSE(ClassAccepts(*sdo, "relationship"));
  EXPECT_FALSE(ClassAccepts(*sdo, "file"));
  EXPECT_TRUE(ClassAccepts(*endpoint, "mac-addr"));
  EXPECT_FALSE(ClassAccepts(*endpoint, "x-acme-addr"));
}

TEST(SchemaTest, Vocabularies) {
  int closed = 0;
  for (const Vocabulary& v : kVocabularies) {
    EXPECT_FALSE(v.terms.empty()) << v.name;
    if (v.closed) {
      ++closed;
      EXPECT_EQ(v.name.substr(v.name.size() - 5), "-enum") << v.name;
    }
  }
  EXPECT_EQ(closed, 10);  // the ten enumerations of STIX 2.1 §10
}

}  // namespace
}  // namespace kizuna::stix_internal
