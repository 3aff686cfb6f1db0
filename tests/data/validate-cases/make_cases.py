#!/usr/bin/env python3
"""Writes cases.json: one case per validation rule for tests/stix/validate_test.cc.

Each case starts from a valid object (the BASES below, mostly from the STIX 2.1 examples),
changes it to break one rule, and states where the validator must report it:

  {"name": ..., "object": {...}  or  "text": "<raw JSON>",
   "error": null  or  {"path": "kill_chain_phases[0].phase_name", "what": "required"}}

The test checks that a case with "error" is rejected with a message that starts with
"<object id>: <path>: " and contains <what>, and that a case without is accepted. "text" cases carry
JSON that a Python dict cannot hold (duplicate member names, deep nesting).

Run: python3 tests/data/validate-cases/make_cases.py   (writes cases.json beside this file)
"""

import copy
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))

T0 = "2016-04-06T20:03:48.000Z"
T1 = "2016-05-12T08:17:27.000Z"
IDENTITY = "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff"
MALWARE = "malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b"
INDICATOR = "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
TLP_GREEN = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
TLP2_AMBER_STRICT = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
TLP2_EXT = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
IPV4 = "ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4"
EXTDEF = "extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e"
SHA256 = "4bac27393bdd9777ce02453256c5577cd02275510b2227f473d03f533924f877"


def sdo(type_, uuid, **props):
    obj = {"type": type_, "spec_version": "2.1", "id": "%s--%s" % (type_, uuid),
           "created": T0, "modified": T0}
    obj.update(props)
    return obj


def sco(type_, uuid, **props):
    obj = {"type": type_, "spec_version": "2.1", "id": "%s--%s" % (type_, uuid)}
    obj.update(props)
    return obj


BASES = {
    "indicator": sdo("indicator", "8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
                     created_by_ref=IDENTITY, name="Poison Ivy Malware",
                     indicator_types=["malicious-activity"],
                     pattern="[ file:hashes.'SHA-256' = '%s' ]" % SHA256, pattern_type="stix",
                     valid_from="2016-01-01T00:00:00Z"),
    "attack-pattern": sdo("attack-pattern", "0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061",
                          name="Spear Phishing",
                          external_references=[{"source_name": "capec",
                                                "external_id": "CAPEC-163"}],
                          kill_chain_phases=[{"kill_chain_name": "lockheed-martin-cyber-kill-chain",
                                              "phase_name": "reconnaissance"}]),
    "campaign": sdo("campaign", "8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", name="Green Group",
                    first_seen="2016-01-01T00:00:00Z", last_seen="2016-02-01T00:00:00Z"),
    "course-of-action": sdo("course-of-action", "8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
                            name="Block UDP 1434"),
    "grouping": sdo("grouping", "84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3", name="Black Vine",
                    context="suspicious-activity", object_refs=[INDICATOR]),
    "location": sdo("location", "a6e9345f-5a15-4c29-8bb3-7dcc5d168d64",
                    latitude=48.8566, longitude=2.3522),
    "malware": sdo("malware", "31b940d4-6f7f-459a-80ea-9c1f17b5891b", name="Poison Ivy",
                   is_family=True, malware_types=["remote-access-trojan"]),
    "malware-analysis": sdo("malware-analysis", "d25167b7-fed0-4068-9ccd-a73dd2c5b07c",
                            product="microsoft", result="malicious"),
    "note": sdo("note", "0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061", content="Seen on a forum.",
                object_refs=["campaign--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"]),
    "observed-data": sdo("observed-data", "b67d30ff-02ac-498a-92f9-32f845f448cf",
                         first_observed="2015-12-21T19:00:00Z",
                         last_observed="2015-12-21T19:00:00Z", number_observed=50,
                         object_refs=[IPV4]),
    "opinion": sdo("opinion", "b01efc25-77b4-4003-b18b-f6e24b5cd9f7", opinion="disagree",
                   object_refs=[INDICATOR]),
    "report": sdo("report", "84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3", name="Black Vine",
                  published="2016-01-20T17:00:00.000Z", object_refs=[INDICATOR]),
    "vulnerability": sdo("vulnerability", "0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061",
                         name="CVE-2016-1234",
                         external_references=[{"source_name": "cve",
                                               "external_id": "CVE-2016-1234"}]),
    "relationship": sdo("relationship", "44298a74-ba52-4f0c-87a3-1824e67d7fad",
                        relationship_type="indicates", source_ref=INDICATOR, target_ref=MALWARE),
    "sighting": sdo("sighting", "ee20065d-2555-424f-ad9e-0f8428623c75",
                    sighting_of_ref=INDICATOR, count=50,
                    first_seen="2015-12-21T19:00:00Z", last_seen="2015-12-21T19:00:00Z",
                    observed_data_refs=["observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf"],
                    where_sighted_refs=[IDENTITY]),
    "artifact": sco("artifact", "a785c567-cc53-52a1-abeb-026bb7ddf8ba", mime_type="image/jpeg",
                    payload_bin="iVBORw0KGgoAAAANSUhEUgAAADI="),
    "email-message": sco("email-message", "92fa1bfd-2c62-5a30-8b7c-5b91ea73cf29",
                         is_multipart=False, subject="Saying Hello",
                         from_ref="email-addr--6deb37bd-12b7-54ae-805f-5f7146f3d171"),
    "file": sco("file", "949eb97a-da1e-5292-8959-03c4249dc9f3", name="foo.dll", size=25536,
                hashes={"SHA-256": "fe90a7e910cb3a4739bed9180e807e93fa70c90f25a8915476f5e4bfbac681db"}),
    "ipv4-addr": sco("ipv4-addr", "28bb3599-77cd-5a82-a950-b5bc3caf07c4", value="198.51.100.3"),
    "ipv6-addr": sco("ipv6-addr", "084d3b4c-7785-568a-a569-0c61c95754ab", value="2001:0db8::/96"),
    "mac-addr": sco("mac-addr", "757b1725-9903-54f5-a855-1240691d7659", value="d2:fb:49:24:37:18"),
    "network-traffic": sco("network-traffic", "6e0cb830-0305-57d4-8536-7be874d42005",
                           src_ref="ipv4-addr--9cf4a8ec-7640-5f40-a006-79942896168b",
                           dst_ref=IPV4, protocols=["tcp"]),
    "process": sco("process", "8fac80fe-a220-4ba9-8ffe-4f43ce8edff8", pid=1221),
    "software": sco("software", "710b0b41-d4d0-5d6c-a400-fc9254554ffc", name="Word"),
    "user-account": sco("user-account", "f94d689e-707d-58c3-b803-c720bb6ed096", user_id="1001"),
    "windows-registry-key": sco("windows-registry-key", "1884b770-b679-522a-a9c7-45fadaaec7bb",
                                key="HKEY_LOCAL_MACHINE\\System\\Foo\\Bar"),
    "x509-certificate": sco("x509-certificate", "bf86f034-2390-54d7-8426-d08433db3fbe",
                            serial_number="36:f7:d4:32",
                            validity_not_before="2016-03-12T12:00:00Z",
                            validity_not_after="2016-08-21T12:00:00Z"),
    "marking-definition": {"type": "marking-definition", "spec_version": "2.1",
                           "id": "marking-definition--4a0042fe-8b88-40fe-9600-dfa128ce6fbd",
                           "created": "2016-08-01T00:00:00.000Z", "definition_type": "statement",
                           "definition": {"statement": "Copyright 2019, Example Corp"}},
    "tlp-green": {"type": "marking-definition", "spec_version": "2.1", "id": TLP_GREEN,
                  "created": "2017-01-20T00:00:00.000Z", "definition_type": "tlp",
                  "name": "TLP:GREEN", "definition": {"tlp": "green"}},
    # As the OASIS CTI TC publishes it (TLP 2.0 marking definitions, common objects).
    "tlp2-amber-strict": {"type": "marking-definition", "spec_version": "2.1", "id": TLP2_AMBER_STRICT,
                          "created": "2022-10-01T00:00:00.000Z", "name": "TLP:AMBER+STRICT",
                          "extensions": {TLP2_EXT: {"extension_type": "property-extension",
                                                    "tlp_2_0": "amber+strict"}}},
    "language-content": sdo("language-content", "b86bd89f-98bb-4fa9-8cb2-9ad421da981d",
                            object_ref="campaign--12a111f0-b824-4baf-a224-83b80237a094",
                            contents={"de": {"name": "Bank Angriff"}}),
    "extension-definition": sdo("extension-definition", "d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e",
                                created_by_ref=IDENTITY, name="Extension Foo 1",
                                schema="https://www.example.com/schema-foo-1/v1/",
                                version="1.2.1", extension_types=["property-extension"]),
    "x-mitre-tactic": {"type": "x-mitre-tactic", "spec_version": "2.1",
                       "id": "x-mitre-tactic--69da72d2-f550-41c5-ab9e-e8255707f28a",
                       "created": T0, "modified": T1, "created_by_ref": IDENTITY,
                       "name": "Collection", "x_mitre_shortname": "collection"},
    # STIX 2.0: no spec_version on SDOs; labels required on indicators; observed-data holds
    # its cyber observables in the `objects` container.
    "indicator-2.0": {"type": "indicator", "id": INDICATOR, "created": T0, "modified": T0,
                      "labels": ["malicious-activity"],
                      "pattern": "[file:hashes.MD5 = '3773a88f65a5e780c8dff9cdc3a056f3']",
                      "valid_from": "2016-01-01T00:00:00Z"},
    "observed-data-2.0": {"type": "observed-data",
                          "id": "observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf",
                          "created": T0, "modified": T0, "first_observed": "2015-12-21T19:00:00Z",
                          "last_observed": "2015-12-21T19:00:00Z", "number_observed": 50,
                          "objects": {"0": {"type": "ipv4-addr", "value": "198.51.100.3"},
                                      "1": {"type": "network-traffic", "dst_ref": "0",
                                            "protocols": ["tcp"]}}},
    "malware-2.0": {"type": "malware", "id": MALWARE, "created": T0, "modified": T0,
                    "labels": ["remote-access-trojan"], "name": "Poison Ivy"},
}

DELETE = object()
CASES = []


def put(obj, path, value):
    """Sets (or, with DELETE, removes) the member at a dotted path; [n] steps index lists."""
    parts = path.replace("[", ".[").split(".")
    for part in parts[:-1]:
        obj = obj[int(part[1:-1])] if part.startswith("[") else obj[part]
    last = parts[-1]
    if last.startswith("["):
        obj[int(last[1:-1])] = value
    elif value is DELETE:
        del obj[last]
    else:
        obj[last] = value


def case(name, base, changes=None, path=None, what=None):
    obj = copy.deepcopy(BASES[base])
    for key, value in (changes or {}).items():
        put(obj, key, value)
    CASES.append({"name": name, "object": obj,
                  "error": None if path is None else {"path": path, "what": what}})


def text_case(name, text, path, what, path_is_prefix=False):
    error = {"path": path, "what": what}
    if path_is_prefix:
        error["path_is_prefix"] = True
    CASES.append({"name": name, "text": text, "error": error})


# ----- Every base is valid, as is each base's documented variants -----
for base in BASES:
    case("valid " + base, base)
case("valid open vocabulary value outside the suggested terms", "indicator",
     {"indicator_types": ["brand-new-type"], "pattern_type": "kql"})
case("valid custom properties of every JSON type", "indicator",
     {"x_acme_score": 10, "x_acme_ratio": 0.5, "x_acme_flag": True, "x_acme_tags": ["a"],
      "x_acme_nested": {"levels": [{"related_asset_sectors": []}]}})
case("valid extension-definition property extension", "indicator",
     {"extensions": {EXTDEF: {"extension_type": "property-extension", "rank": 5}}})
case("valid custom SCO extension (deprecated section 11.3)", "file",
     {"extensions": {"x-acme-com-foo-ext": {"foo_val": "foo"}}})
case("valid defanged IPv4 value", "ipv4-addr", {"defanged": True, "value": "198.51.100[.]3"})
case("valid granular marking selecting a nested list item", "attack-pattern",
     {"granular_markings": [{"marking_ref": TLP_GREEN,
                             "selectors": ["external_references.[0].source_name", "name"]}]})
case("valid location by region only", "location",
     {"latitude": DELETE, "longitude": DELETE, "region": "northern-america"})
case("valid custom object with only type and id", "x-mitre-tactic",
     {"created": DELETE, "modified": DELETE, "created_by_ref": DELETE, "spec_version": DELETE})
case("valid STIX 2.0 malware without is_family", "malware-2.0")
case("valid timestamps with 6 fraction digits", "indicator",
     {"created": "2016-04-06T20:03:48.000000Z", "modified": "2016-04-06T20:03:48.123456Z"})

# ----- Required properties -----
case("required pattern", "indicator", {"pattern": DELETE}, "pattern", "required property is missing")
case("required pattern_type (2.1)", "indicator", {"pattern_type": DELETE}, "pattern_type",
     "required property is missing")
case("required valid_from", "indicator", {"valid_from": DELETE}, "valid_from", "required")
case("required created", "indicator", {"created": DELETE}, "created", "required")
case("required grouping context", "grouping", {"context": DELETE}, "context", "required")
case("required grouping object_refs", "grouping", {"object_refs": DELETE}, "object_refs",
     "required")
case("required note content", "note", {"content": DELETE}, "content", "required")
case("required opinion", "opinion", {"opinion": DELETE}, "opinion", "required")
case("required report published", "report", {"published": DELETE}, "published", "required")
case("required relationship_type", "relationship", {"relationship_type": DELETE},
     "relationship_type", "required")
case("required source_ref", "relationship", {"source_ref": DELETE}, "source_ref", "required")
case("required sighting_of_ref", "sighting", {"sighting_of_ref": DELETE}, "sighting_of_ref",
     "required")
case("required malware is_family (2.1)", "malware", {"is_family": DELETE}, "is_family",
     "required property is missing")
case("required malware name when is_family", "malware", {"name": DELETE}, "name",
     "required when is_family is true")
case("required email is_multipart", "email-message", {"is_multipart": DELETE}, "is_multipart",
     "required")
case("required network-traffic protocols", "network-traffic", {"protocols": DELETE},
     "protocols", "required")
case("required language-content contents", "language-content", {"contents": DELETE},
     "contents", "required")
case("required language-content object_ref", "language-content", {"object_ref": DELETE},
     "object_ref", "required")
case("required extension-definition created_by_ref", "extension-definition",
     {"created_by_ref": DELETE}, "created_by_ref", "required")
case("required extension-definition schema", "extension-definition", {"schema": DELETE},
     "schema", "required")
case("required extension-definition extension_types", "extension-definition",
     {"extension_types": DELETE}, "extension_types", "required")
case("required kill chain phase_name", "attack-pattern",
     {"kill_chain_phases[0].phase_name": DELETE}, "kill_chain_phases[0].phase_name", "required")
case("required external reference source_name", "attack-pattern",
     {"external_references": [{"source_name": "a", "url": "https://a.example"},
                              {"source_name": "b", "url": "https://b.example"},
                              {"url": "https://c.example"}]},
     "external_references[2].source_name", "required")
case("required spec_version of a 2.1-only type", "grouping", {"spec_version": DELETE},
     "spec_version", "STIX 2.0, which has no grouping objects")

# ----- Property types -----
case("string wrong type", "indicator", {"name": 5}, "name", "expected a string, got an integer")
case("boolean wrong type", "malware", {"is_family": "yes"}, "is_family", "expected a boolean")
case("integer wrong type", "indicator", {"confidence": "high"}, "confidence",
     "expected an integer from 0 to 100, got a string")
case("integer with a fraction", "indicator", {"confidence": 50.5}, "confidence",
     "got a number with a fraction")
case("integer beyond 54 bits", "file", {"size": 9007199254740993}, "size",
     "9007199254740993 is outside the integer range")
case("float wrong type (spec example style)", "location", {"latitude": "48.8566"}, "latitude",
     "expected a number from -90 to 90, got a string")
case("timestamp wrong type", "campaign", {"first_seen": 20160101}, "first_seen",
     "expected a timestamp string, got an integer")
case("timestamp unparsable", "indicator", {"valid_from": "2016-13-01T00:00:00Z"}, "valid_from",
     "invalid timestamp")
case("timestamp without Z", "campaign", {"first_seen": "2016-01-01T00:00:00+01:00"},
     "first_seen", "expected 'Z'")
case("list wrong type", "attack-pattern", {"kill_chain_phases": "recon"}, "kill_chain_phases",
     "expected a list, got a string")
case("list item wrong type", "indicator", {"indicator_types": ["benign", 7]},
     "indicator_types[1]", "expected a string")
case("struct item wrong type", "attack-pattern",
     {"kill_chain_phases": [{"kill_chain_name": "a", "phase_name": "b"}, "recon"]},
     "kill_chain_phases[1]", "expected an object (kill-chain-phase)")
case("dictionary wrong type", "email-message", {"additional_header_fields": ["a"]},
     "additional_header_fields", "expected a dictionary")
case("dictionary value kind (list of strings)", "email-message",
     {"additional_header_fields": {"Reply-To": "a@example.com"}},
     "additional_header_fields.Reply-To", "expected a non-empty list of strings")
case("dictionary invalid key", "process", {"environment_variables": {"bad key": "x"}},
     "environment_variables.bad key", "invalid dictionary key")
case("hashes wrong type", "file", {"hashes": "abc"}, "hashes", "expected hashes")
case("hashes wrong length", "file", {"hashes": {"SHA-256": "abc"}}, "hashes.SHA-256",
     "is not a valid SHA-256 hash; expected 64 hexadecimal digits")
case("hashes MD5 not hex", "file", {"hashes": {"MD5": "z" * 32}}, "hashes.MD5",
     "expected 32 hexadecimal digits")
case("hashes value not a string", "file", {"hashes": {"SHA-1": 5}}, "hashes.SHA-1",
     "expected the hash as a string")
case("hashes key too short", "file", {"hashes": {"md": "ab"}}, "hashes.md",
     "invalid hash algorithm name")
case("binary not base64", "artifact", {"payload_bin": "not base64!"}, "payload_bin",
     "is not base64")
case("hex upper case", "file", {"magic_number_hex": "504B0304"}, "magic_number_hex",
     "lower-case hexadecimal")
case("hex odd length", "file", {"magic_number_hex": "504"}, "magic_number_hex", "even number")
case("language tag", "indicator", {"lang": "en_US"}, "lang", "not a language tag")
case("language tag in a list", "software", {"languages": ["en", "english!"]}, "languages[1]",
     "not a language tag")
case("enum value outside the enumeration", "opinion", {"opinion": "meh"}, "opinion",
     "\"meh\" is not in opinion-enum; expected one of strongly-disagree")
case("enum in a list", "extension-definition", {"extension_types": ["new-thing"]},
     "extension_types[0]", "is not in extension-type-enum")
case("enum in a nested struct", "windows-registry-key",
     {"values": [{"name": "Foo", "data_type": "REG_TEXT"}]}, "values[0].data_type",
     "windows-registry-datatype-enum")
case("null value", "indicator", {"description": None}, "description", "null is not a STIX value")
case("null custom value", "indicator", {"x_acme": None}, "x_acme", "null is not a STIX value")

# ----- Integer and float ranges -----
case("confidence above 100", "indicator", {"confidence": 101}, "confidence",
     "101 is out of range; expected an integer from 0 to 100")
case("confidence below 0", "indicator", {"confidence": -1}, "confidence", "out of range")
case("number_observed 0", "observed-data", {"number_observed": 0}, "number_observed",
     "expected an integer from 1 to 999999999")
case("number_observed too large", "observed-data", {"number_observed": 1000000000},
     "number_observed", "out of range")
case("sighting count negative", "sighting", {"count": -1}, "count", "out of range")
case("port above 65535", "network-traffic", {"src_port": 65536}, "src_port",
     "expected an integer from 0 to 65535")
case("size negative", "file", {"size": -1}, "size", "expected an integer of at least 0")
case("latitude above 90", "location", {"latitude": 90.5}, "latitude", "out of range")
case("longitude below -180", "location", {"longitude": -181}, "longitude", "out of range")
case("PE section entropy above 8", "file",
     {"extensions": {"windows-pebinary-ext": {"pe_type": "exe", "sections": [
         {"name": "a", "entropy": 1.5}, {"name": "b", "entropy": 9}]}}},
     "extensions.windows-pebinary-ext.sections[1].entropy", "expected a number from 0 to 8")

# ----- Identifiers and their target types -----
case("created_by_ref to a malware", "indicator", {"created_by_ref": MALWARE}, "created_by_ref",
     "refers to an object of type malware; expected the identifier of identity")
case("marking ref malformed", "indicator",
     {"object_marking_refs": [TLP_GREEN, "marking-definition--123"]}, "object_marking_refs[1]",
     "does not end in a UUID")
case("marking ref to an identity", "indicator", {"object_marking_refs": [IDENTITY]},
     "object_marking_refs[0]", "expected the identifier of marking-definition")
case("sighting_of_ref to an SRO", "sighting",
     {"sighting_of_ref": "relationship--44298a74-ba52-4f0c-87a3-1824e67d7fad"},
     "sighting_of_ref", "expected the identifier of SDO or custom object")
case("where_sighted_refs to a malware", "sighting", {"where_sighted_refs": [IDENTITY, MALWARE]},
     "where_sighted_refs[1]", "expected the identifier of identity or location")
case("observed_data_refs to an indicator", "sighting", {"observed_data_refs": [INDICATOR]},
     "observed_data_refs[0]", "expected the identifier of observed-data")
case("relationship to a marking definition", "relationship", {"target_ref": TLP_GREEN},
     "target_ref", "expected the identifier of SDO or SCO or custom object")
case("network-traffic src_ref to a file", "network-traffic",
     {"src_ref": "file--949eb97a-da1e-5292-8959-03c4249dc9f3"}, "src_ref",
     "expected the identifier of ipv4-addr or ipv6-addr or mac-addr or domain-name")
case("observed-data object_refs without an SCO", "observed-data",
     {"object_refs": ["relationship--44298a74-ba52-4f0c-87a3-1824e67d7fad"]}, "object_refs",
     "expected at least one SCO identifier")
case("archive contains a non-file", "file",
     {"extensions": {"archive-ext": {"contains_refs": [IPV4]}}},
     "extensions.archive-ext.contains_refs[0]", "expected the identifier of file or directory")
case("identifier with wrong variant bits", "indicator",
     {"created_by_ref": "identity--f431f809-377b-45e0-0a1c-6a4751cae5ff"}, "created_by_ref",
     "wrong variant bits")

# ----- Timestamps -----
case("created without millisecond precision", "indicator", {"created": "2016-04-06T20:03:48Z",
                                                           "modified": "2016-04-06T20:03:48Z"},
     "created", "has second precision; expected at least millisecond precision")
case("modified with 2 fraction digits", "indicator", {"modified": "2016-04-06T20:03:48.10Z"},
     "modified", "has 2-digit precision")
case("modified before created", "indicator", {"modified": "2016-04-06T20:03:47.999Z"},
     "modified", "is earlier than created (2016-04-06T20:03:48.000Z); expected modified >= created")
case("valid_until equal to valid_from", "indicator", {"valid_until": "2016-01-01T00:00:00Z"},
     "valid_until", "not later than valid_from")
case("sighting last_seen before first_seen", "sighting", {"last_seen": "2015-12-20T19:00:00Z"},
     "last_seen", "expected last_seen >= first_seen")
case("observed-data last_observed before first_observed", "observed-data",
     {"last_observed": "2015-12-21T18:59:59.999Z"}, "last_observed",
     "expected last_observed >= first_observed")
case("campaign last_seen before first_seen", "campaign", {"last_seen": "2015-01-01T00:00:00Z"},
     "last_seen", "earlier than first_seen")
case("relationship stop_time equal to start_time", "relationship",
     {"start_time": "2016-01-01T00:00:00Z", "stop_time": "2016-01-01T00:00:00Z"}, "stop_time",
     "expected stop_time > start_time")
# Observed facts may be odd: the standard sets no order on a certificate's validity window.
case("valid x509 certificate with its validity window reversed", "x509-certificate",
     {"validity_not_after": "2016-01-01T00:00:00Z"})
case("custom object modified before created", "x-mitre-tactic",
     {"modified": "2015-01-01T00:00:00.000Z"}, "modified", "expected modified >= created")

# ----- Lists and dictionaries must not be empty -----
case("empty labels", "indicator", {"labels": []}, "labels", "empty list")
case("empty custom list", "indicator", {"x_acme_tags": []}, "x_acme_tags", "empty list")
case("empty selectors", "indicator",
     {"granular_markings": [{"marking_ref": TLP_GREEN, "selectors": []}]},
     "granular_markings[0].selectors", "empty list")
case("empty hashes", "file", {"hashes": {}}, "hashes", "empty hashes")
case("empty dictionary", "email-message", {"additional_header_fields": {}},
     "additional_header_fields", "empty dictionary")
case("empty extensions", "file", {"extensions": {}}, "extensions", "empty dictionary")
case("empty observable container", "observed-data-2.0", {"objects": {}}, "objects",
     "empty observable container")

# ----- External references, kill chains, granular markings -----
case("external reference with only source_name", "indicator",
     {"external_references": [{"source_name": "ACME"}]},
     "external_references[0].description|external_id|url",
     "none is present; expected at least one of description, external_id, url")
case("external reference hashes checked", "indicator",
     {"external_references": [{"source_name": "a", "url": "https://a.example",
                               "hashes": {"SHA-256": "00"}}]},
     "external_references[0].hashes.SHA-256", "expected 64 hexadecimal digits")
case("CAPEC external_id", "attack-pattern", {"external_references[0].external_id": "163"},
     "external_references[0].external_id", "is not CAPEC-<number>")
case("CVE external_id missing", "vulnerability",
     {"external_references": [{"source_name": "cve", "url": "https://cve.example"}]},
     "external_references[0].external_id", "missing; expected a CVE identifier")
case("granular marking with both lang and marking_ref", "indicator",
     {"granular_markings": [{"marking_ref": TLP_GREEN, "lang": "de", "selectors": ["name"]}]},
     "granular_markings[0].lang|marking_ref", "2 are present; expected exactly one")
case("granular marking with neither", "indicator",
     {"granular_markings": [{"selectors": ["name"]}]}, "granular_markings[0].lang|marking_ref",
     "none is present")
case("granular marking selector not present", "indicator",
     {"granular_markings": [{"marking_ref": TLP_GREEN, "selectors": ["name", "description"]}]},
     "granular_markings[0].selectors[1]", "\"description\" selects nothing")
case("granular marking selector indexing a string", "attack-pattern",
     {"granular_markings": [{"lang": "de", "selectors": ["name.[0]"]}]},
     "granular_markings[0].selectors[0]", "selects nothing")
case("granular marking selector out of range", "attack-pattern",
     {"granular_markings": [{"lang": "de", "selectors": ["external_references.[1]"]}]},
     "granular_markings[0].selectors[0]", "selects nothing")

# ----- Extensions -----
case("unknown extension on an SDO", "indicator",
     {"extensions": {"x-acme-ext": {"a_b": 1}}}, "extensions.x-acme-ext", "unknown extension")
case("extension-definition extension without extension_type", "indicator",
     {"extensions": {EXTDEF: {"rank": 5}}}, "extensions.%s.extension_type" % EXTDEF,
     "required property is missing")
case("extension_type outside the enumeration", "indicator",
     {"extensions": {EXTDEF: {"extension_type": "property_extension"}}},
     "extensions.%s.extension_type" % EXTDEF, "is not in extension-type-enum")
case("new-sdo extension on a standard type", "indicator",
     {"extensions": {EXTDEF: {"extension_type": "new-sdo"}}},
     "extensions.%s.extension_type" % EXTDEF, "defines a new object type")
case("extension key not an extension-definition id", "indicator",
     {"extensions": {"extension-definition--1234": {"extension_type": "property-extension"}}},
     "extensions.extension-definition--1234", "not an extension-definition identifier")
case("extension property name", "indicator",
     {"extensions": {EXTDEF: {"extension_type": "property-extension", "Rank": 5}}},
     "extensions.%s.Rank" % EXTDEF, "invalid property name")
case("predefined extension on another type", "process",
     {"extensions": {"ntfs-ext": {"sid": "1"}}}, "extensions.ntfs-ext",
     "is a predefined extension of file objects")
case("predefined extension empty", "file", {"extensions": {"ntfs-ext": {}}},
     "extensions.ntfs-ext", "empty extension")
case("predefined extension property type", "file", {"extensions": {"ntfs-ext": {"sid": 5}}},
     "extensions.ntfs-ext.sid", "expected a string")
case("PE extension with only pe_type", "file",
     {"extensions": {"windows-pebinary-ext": {"pe_type": "exe"}}},
     "extensions.windows-pebinary-ext", "no windows-pebinary-ext property is present")
case("socket-ext address family", "network-traffic",
     {"extensions": {"socket-ext": {"address_family": "AF_LOCAL"}}},
     "extensions.socket-ext.address_family", "network-socket-address-family-enum")
case("http request header value", "network-traffic",
     {"extensions": {"http-request-ext": {"request_method": "get", "request_value": "/",
                                          "request_header": {"Host": "a.example"}}}},
     "extensions.http-request-ext.request_header.Host", "non-empty list of strings")
case("http request missing request_value", "network-traffic",
     {"extensions": {"http-request-ext": {"request_method": "get"}}},
     "extensions.http-request-ext.request_value", "required")
case("raster image exif value", "file",
     {"extensions": {"raster-image-ext": {"exif_tags": {"Make": {"a": 1}}}}},
     "extensions.raster-image-ext.exif_tags.Make", "expected an integer or a string")
case("custom SCO extension name without -ext", "file",
     {"extensions": {"x-example-com-foo": {"foo_val": "foo"}}}, "extensions.x-example-com-foo",
     "ending in \"-ext\"")

# ----- Type-specific rules -----
case("location without region, country or coordinates", "location",
     {"latitude": DELETE, "longitude": DELETE, "name": "Somewhere"}, "region|country|latitude",
     "none is present")
case("location latitude without longitude", "location", {"longitude": DELETE}, "longitude",
     "required when latitude is present")
case("location precision without coordinates", "location",
     {"latitude": DELETE, "longitude": DELETE, "country": "th", "precision": 10.0}, "latitude",
     "required, with longitude, when precision is present")
case("malware-analysis without result or analysis_sco_refs", "malware-analysis",
     {"result": DELETE}, "analysis_sco_refs|result", "none is present")
case("observed-data with objects and object_refs", "observed-data",
     {"objects": {"0": {"type": "ipv4-addr", "value": "198.51.100.3"}}}, "object_refs|objects",
     "2 are present; expected exactly one")
case("observed-data with neither objects nor object_refs", "observed-data",
     {"object_refs": DELETE}, "object_refs|objects", "none is present")
case("artifact with payload_bin and url", "artifact",
     {"url": "https://a.example/x.jpg", "hashes": {"MD5": "a" * 32}}, "payload_bin|url",
     "2 are present")
case("artifact url without hashes", "artifact",
     {"payload_bin": DELETE, "url": "https://a.example/x.jpg"}, "hashes",
     "required when url is present")
case("artifact decryption_key without encryption_algorithm", "artifact",
     {"decryption_key": "secret"}, "encryption_algorithm", "required when decryption_key")
case("file without hashes or name", "file", {"hashes": DELETE, "name": DELETE},
     "hashes|name", "none is present")
case("file name_enc without name", "file", {"name": DELETE, "name_enc": "windows-1252"},
     "name", "required when name_enc is present")
case("network-traffic without src_ref and dst_ref", "network-traffic",
     {"src_ref": DELETE, "dst_ref": DELETE}, "dst_ref|src_ref", "none is present")
case("network-traffic active with an end", "network-traffic",
     {"is_active": True, "end": "2016-01-01T00:00:00Z"}, "end",
     "must not be present when is_active is true")
case("email body while multipart", "email-message", {"is_multipart": True, "body": "hi"},
     "body", "must not be present when is_multipart is true")
case("email body_multipart while not multipart", "email-message",
     {"body_multipart": [{"body": "hi"}]}, "body_multipart",
     "must not be present when is_multipart is false")
case("email MIME part without body", "email-message",
     {"is_multipart": True, "body_multipart": [{"body": "hi"}, {"content_type": "text/plain"}]},
     "body_multipart[1].body|body_raw_ref", "none is present")
case("process without any property", "process", {"pid": DELETE}, "(object)",
     "no process property is present")
case("user-account without any property", "user-account", {"user_id": DELETE}, "(object)",
     "no user-account property is present")
case("registry value without any property", "windows-registry-key", {"values": [{}]},
     "values[0]", "no windows-registry-value property is present")
case("IPv4 value", "ipv4-addr", {"value": "999.1.1.1"}, "value", "is not an IPv4 address")
case("IPv4 prefix", "ipv4-addr", {"value": "198.51.100.0/33"}, "value", "not an IPv4")
case("IPv6 value", "ipv6-addr", {"value": "2001:db8:::1"}, "value", "is not an IPv6 address")
case("MAC value upper case", "mac-addr", {"value": "D2:FB:49:24:37:18"}, "value",
     "is not a lower-case colon-delimited MAC-48 address")
case("relationship_type with spaces", "relationship", {"relationship_type": "Uses Badly"},
     "relationship_type", "is not a relationship type name")
case("extension_properties without toplevel-property-extension", "extension-definition",
     {"extension_properties": ["rank"]}, "extension_properties",
     "only allowed when extension_types includes toplevel-property-extension")
case("language-content key not a language tag", "language-content",
     {"contents": {"not a tag!": {"name": "x"}}}, "contents.not a tag!", "language tag")
case("language-content translation not an object", "language-content",
     {"contents": {"de": "Bank Angriff"}}, "contents.de", "expected a non-empty object")

# ----- Marking definitions -----
case("marking definition with modified", "marking-definition", {"modified": T1}, "modified",
     "not allowed on marking-definition objects")
case("marking definition with neither definition nor extensions", "marking-definition",
     {"definition_type": DELETE, "definition": DELETE}, "definition_type",
     "needs definition_type and definition, or extensions")
case("marking definition_type without definition", "marking-definition",
     {"definition": DELETE}, "definition", "required when definition_type is present")
case("statement marking without statement", "marking-definition",
     {"definition": {"text": "Copyright"}}, "definition.statement", "required property is missing")
case("TLP marking level", "tlp-green", {"definition": {"tlp": "purple"}}, "definition.tlp",
     "\"purple\" is not a TLP 1.0 level")
case("TLP marking under another identifier", "tlp-green",
     {"id": "marking-definition--4a0042fe-8b88-40fe-9600-dfa128ce6fbd"}, "definition.tlp",
     "must be the predefined marking-definition--34098fce")
case("TLP identifier on a statement marking", "marking-definition", {"id": TLP_GREEN},
     "definition_type", "predefined TLP:green marking definition")
case("TLP 2.0 identifier with another level", "tlp2-amber-strict",
     {"extensions.%s.tlp_2_0" % TLP2_EXT: "clear"}, "extensions.%s.tlp_2_0" % TLP2_EXT,
     "TLP 2.0 identifiers are constants")
case("TLP 2.0 identifier without the TLP 2.0 extension", "tlp2-amber-strict",
     {"extensions": {"extension-definition--d43c2dcb-ef91-4ad1-b5ec-9f1186821fde": {
         "extension_type": "property-extension", "releasable_to": ["KOR"]}}},
     "extensions", "predefined TLP 2.0 amber+strict marking definition")
case("TLP 2.0 identifier with a second extension", "tlp2-amber-strict",
     {"extensions.extension-definition--d43c2dcb-ef91-4ad1-b5ec-9f1186821fde": {
         "extension_type": "property-extension", "releasable_to": ["KOR"]}},
     "extensions", "and nothing else")
case("TLP 2.0 identifier as a statement", "tlp2-amber-strict",
     {"definition_type": "statement", "definition": {"statement": "REL TO KOR"}},
     "definition_type", "TLP 2.0 identifiers are constants")
case("marking definition marking itself", "marking-definition",
     {"object_marking_refs": ["marking-definition--4a0042fe-8b88-40fe-9600-dfa128ce6fbd"]},
     "object_marking_refs[0]", "must not mark itself")

# ----- Common properties that do not apply -----
case("revoked on an SCO", "file", {"revoked": True}, "revoked",
     "not allowed on file objects")
case("modified on an SCO", "ipv4-addr", {"modified": T0}, "modified", "not allowed on ipv4-addr")
case("labels on an SCO", "mac-addr", {"labels": ["x"]}, "labels",
     "not allowed on mac-addr")
case("defanged on an SDO", "indicator", {"defanged": True}, "defanged",
     "not allowed on indicator objects")
case("lang on language-content", "language-content", {"lang": "en"}, "lang", "not allowed")
case("extensions on extension-definition", "extension-definition",
     {"extensions": {EXTDEF: {"extension_type": "property-extension"}}}, "extensions",
     "not allowed on extension-definition objects")

# ----- Names -----
case("property name with upper case", "indicator", {"Bad_Name": 1}, "Bad_Name",
     "invalid property name")
case("property name too short", "indicator", {"xy": 1}, "xy", "invalid property name")
case("property name with a hyphen", "x-mitre-tactic", {"x-mitre-thing": 1}, "x-mitre-thing",
     "invalid property name")
case("reserved property name", "indicator", {"severity": "high"}, "severity",
     "reserved property name")
case("reserved course-of-action action", "course-of-action", {"action": "block"}, "action",
     "reserved for future use")
case("custom *_bin property not base64", "indicator", {"x_acme_sample_bin": "not base64"},
     "x_acme_sample_bin", "holds binary data; expected RFC 4648 base64")
case("custom *_hex property in an extension", "file",
     {"extensions": {EXTDEF: {"extension_type": "property-extension", "x_flags_hex": "0G"}}},
     "extensions.%s.x_flags_hex" % EXTDEF, "holds hex data")
case("valid custom *_bin and *_hex properties", "file",
     {"x_acme_sample_bin": "AQIDBA==", "x_acme_flags_hex": "00ff"})
case("custom name inside a nested structure", "indicator",
     {"kill_chain_phases": [{"kill_chain_name": "a", "phase_name": "b", "X": 1}]},
     "kill_chain_phases[0].X", "invalid property name")

# ----- spec_version: STIX 2.0 kept as 2.0 -----
case("2.0 indicator without labels", "indicator-2.0", {"labels": DELETE}, "labels",
     "required property is missing")
case("2.0 observed-data without objects", "observed-data-2.0", {"objects": DELETE}, "objects",
     "required property is missing")
case("2.0 observed-data container entry without type", "observed-data-2.0",
     {"objects": {"0": {"value": "198.51.100.3"}}}, "objects.0.type",
     "expected the observable's type name")
case("2.0 malware without name", "malware-2.0", {"name": DELETE}, "name", "required")
case("2.0 granular marking needs marking_ref", "indicator-2.0",
     {"granular_markings": [{"lang": "de", "selectors": ["pattern"]}]},
     "granular_markings[0].marking_ref", "required property is missing")
case("2.0 reserved name", "indicator-2.0", {"usernames": ["a"]}, "usernames",
     "reserved property name; it must not appear in STIX 2.0 content")
case("2.0 reserved confidence", "indicator-2.0", {"spec_version": "2.0", "confidence": 50},
     "confidence",
     "reserved property name; it must not appear in STIX 2.0 content")
case("2.1 properties without spec_version", "indicator", {"spec_version": DELETE},
     "spec_version", "required property is missing; indicator_types is a STIX 2.1 property")
case("valid 2.0 object with explicit spec_version 2.0 and a 2.1 name as custom property",
     "indicator-2.0", {"spec_version": "2.0", "pattern_version": "2.0"})
case("2.0 top-level SCO", "ipv4-addr", {"spec_version": "2.0"}, "spec_version",
     "STIX 2.0 has no top-level ipv4-addr objects")
case("valid 2.1 indicator needs no labels (the 2.0 rule does not apply)", "indicator")

# ----- Duplicate member names (I-JSON) and nesting -----
ind = BASES["indicator"]
ind_text = json.dumps(ind)
text_case("duplicate standard property", ind_text[:-1] + ', "name": "Other"}', "name",
          "duplicate member name")
text_case("duplicate custom property", ind_text[:-1] + ', "x_acme": 1, "x_acme": 2}', "x_acme",
          "duplicate member name")
text_case("duplicate inside a custom value", ind_text[:-1] + ', "x_acme": {"a": 1, "a": 2}}',
          "x_acme.a", "duplicate member name")
text_case("duplicate inside a nested structure",
          ind_text[:-1] + ', "external_references": [{"source_name": "a", "url": "u", '
                          '"url": "v"}]}', "external_references[0].url", "duplicate member name")
text_case("duplicate hash algorithm",
          json.dumps(BASES["file"])[:-2] + ', "MD5": "%s", "MD5": "%s"}}' % ("a" * 32, "b" * 32),
          "hashes.MD5", "duplicate member name")
many = ", ".join('"x_custom_%02d": %d' % (i, i) for i in range(40))
text_case("duplicate among many custom properties",
          ind_text[:-1] + ", " + many + ', "x_custom_07": 7}', "x_custom_07",
          "duplicate member name")
text_case("nesting deeper than the limit in a custom property",
          ind_text[:-1] + ', "x_deep": ' + "[" * 100 + "]" * 100 + "}", "x_deep[0][0]",
          "nested deeper than 64 levels", path_is_prefix=True)


def main():
    with open(os.path.join(HERE, "cases.json"), "w", encoding="utf-8") as f:
        json.dump(CASES, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
