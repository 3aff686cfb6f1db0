// Kizuna.
#include "kizuna/pattern/observation.h"

#include <gtest/gtest.h>

namespace kizuna::pattern {
namespace {

using NodeId = Observation::NodeId;

TEST(ObservationTest, BuildsTypedTrees) {
  Observation obs;
  obs.SetId("observed-data--1");
  obs.SetCount(3);
  const NodeId file = obs.AddSco("file", "file--1");
  obs.AddString(file, "name", "a.exe");
  obs.AddInt(file, "size", 42);
  obs.AddFloat(file, "entropy", 7.5);
  obs.AddBool(file, "is_encrypted", false);
  obs.AddNull(file, "nothing");
  const NodeId hashes = obs.AddObject(file, "hashes");
  obs.AddString(hashes, "MD5", "00");
  const NodeId list = obs.AddList(file, "tags");
  obs.AddString(list, "ignored key", "x");
  obs.AddString(list, "", "y");

  EXPECT_EQ(obs.id(), "observed-data--1");
  EXPECT_EQ(obs.count(), 3u);
  ASSERT_EQ(obs.sco_count(), 1u);
  EXPECT_EQ(obs.sco_type(0), "file");
  EXPECT_EQ(obs.sco_key(0), "file--1");
  EXPECT_EQ(obs.sco_root(0), file);
  // AddSco added "type".
  const NodeId type = obs.FindMember(file, "type");
  ASSERT_NE(type, Observation::kNoNode);
  EXPECT_EQ(obs.string_value(type), "file");
  EXPECT_EQ(obs.int_value(obs.FindMember(file, "size")), 42);
  EXPECT_EQ(obs.float_value(obs.FindMember(file, "entropy")), 7.5);
  EXPECT_EQ(obs.kind(obs.FindMember(file, "is_encrypted")), ValueKind::kBool);
  EXPECT_FALSE(obs.bool_value(obs.FindMember(file, "is_encrypted")));
  EXPECT_EQ(obs.kind(obs.FindMember(file, "nothing")), ValueKind::kNull);
  EXPECT_EQ(obs.FindMember(file, "absent"), Observation::kNoNode);
  EXPECT_EQ(obs.string_value(obs.FindMember(obs.FindMember(file, "hashes"), "MD5")), "00");
  EXPECT_EQ(obs.child_count(list), 2u);
  EXPECT_EQ(obs.string_value(obs.ListElement(list, 1)), "y");
  EXPECT_EQ(obs.key(obs.ListElement(list, 0)), "");
  EXPECT_EQ(obs.ListElement(list, 2), Observation::kNoNode);
  EXPECT_EQ(obs.ListElement(file, 0), Observation::kNoNode);
  EXPECT_EQ(obs.FindMember(list, "x"), Observation::kNoNode);
  EXPECT_FALSE(obs.overflowed());
}

TEST(ObservationTest, HexAndBase64PropertiesBecomeBinary) {
  Observation obs;
  const NodeId a = obs.AddSco("artifact", "0");
  const NodeId bin = obs.AddString(a, "payload_bin", "AQID");
  const NodeId hex = obs.AddString(a, "magic_number_hex", "FFd8");
  const NodeId bad = obs.AddString(a, "x_hex", "abc");
  const NodeId plain = obs.AddString(a, "hex", "00");
  EXPECT_EQ(obs.kind(bin), ValueKind::kBinary);
  EXPECT_EQ(obs.string_value(bin), std::string("\x01\x02\x03", 3));
  EXPECT_EQ(obs.kind(hex), ValueKind::kBinary);
  EXPECT_EQ(obs.string_value(hex), "\xff\xd8");
  EXPECT_EQ(obs.kind(bad), ValueKind::kString);
  EXPECT_EQ(obs.kind(plain), ValueKind::kString);
  // In a list the key does not apply.
  const NodeId list = obs.AddList(a, "x_hex");
  EXPECT_EQ(obs.kind(obs.AddString(list, "x_hex", "00")), ValueKind::kString);
}

TEST(ObservationTest, FindScoAndTypeMask) {
  Observation obs;
  obs.AddSco("ipv4-addr", "ipv4-addr--1");
  obs.AddSco("domain-name", "domain-name--1");
  EXPECT_EQ(obs.FindSco("domain-name--1"), 1);
  EXPECT_EQ(obs.FindSco("nope"), -1);
  EXPECT_EQ(obs.sco_type_hash(0), Observation::TypeHash("ipv4-addr"));
  EXPECT_NE(obs.type_mask() & Observation::TypeBit(Observation::TypeHash("domain-name")), 0u);
  EXPECT_NE(Observation::TypeHash("file"), Observation::TypeHash("File"));
}

TEST(ObservationTest, ClearKeepsNothingButCapacity) {
  Observation obs;
  obs.SetId("a");
  obs.SetCount(5);
  obs.AddString(obs.AddSco("file", "0"), "name", "x");
  obs.Clear();
  EXPECT_EQ(obs.id(), "");
  EXPECT_EQ(obs.count(), 1u);
  EXPECT_EQ(obs.sco_count(), 0u);
  EXPECT_EQ(obs.node_count(), 0u);
  EXPECT_EQ(obs.type_mask(), 0u);
  const NodeId f = obs.AddSco("process", "0");
  EXPECT_EQ(obs.string_value(obs.FindMember(f, "type")), "process");
}

TEST(ObservationTest, NoNodeParentsAreIgnored) {
  Observation obs;
  EXPECT_EQ(obs.AddString(Observation::kNoNode, "k", "v"), Observation::kNoNode);
  EXPECT_EQ(obs.AddObject(12345, "k"), Observation::kNoNode);
  EXPECT_EQ(obs.node_count(), 0u);
}

TEST(ObservationTest, CopyScoFromCopiesTheWholeTree) {
  Observation from;
  const NodeId f = from.AddSco("file", "file--1");
  from.AddBinary(f, "payload_bin", "\x01");
  from.AddString(f, "x_hex", "not hex");
  const NodeId l = from.AddList(f, "l");
  from.AddObject(l, "")
      ;
  from.AddInt(from.ListElement(l, 0), "k", 7);
  Observation to;
  to.AddSco("other", "o");
  EXPECT_EQ(to.CopyScoFrom(from, 0), 1u);
  const NodeId root = to.sco_root(1);
  EXPECT_EQ(to.sco_key(1), "file--1");
  EXPECT_EQ(to.child_count(root), 4u);  // type, payload_bin, x_hex, l
  EXPECT_EQ(to.kind(to.FindMember(root, "payload_bin")), ValueKind::kBinary);
  EXPECT_EQ(to.kind(to.FindMember(root, "x_hex")), ValueKind::kString);
  EXPECT_EQ(to.int_value(to.FindMember(to.ListElement(to.FindMember(root, "l"), 0), "k")), 7);
  EXPECT_EQ(to.string_value(to.FindMember(root, "x_hex")), "not hex");
  EXPECT_EQ(to.string_value(to.FindMember(root, "payload_bin")), "\x01");
  EXPECT_EQ(to.string_value(to.FindMember(root, "type")), "file");
  EXPECT_EQ(to.sco_type(1), "file");
  EXPECT_EQ(to.FindSco("file--1"), 1);
  EXPECT_NE(to.type_mask() & Observation::TypeBit(Observation::TypeHash("file")), 0u);
  EXPECT_EQ(to.string_value(to.FindMember(to.sco_root(0), "type")), "other");

  // A second "type" member is not copied, as when the tree is copied node by node.
  from.AddString(f, "type", "second");
  EXPECT_EQ(to.CopyScoFrom(from, 0), 2u);
  EXPECT_EQ(to.child_count(to.sco_root(2)), 4u);
}

}  // namespace
}  // namespace kizuna::pattern
